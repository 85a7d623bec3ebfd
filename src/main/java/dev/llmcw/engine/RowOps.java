package dev.llmcw.engine;

import dev.llmcw.tensor.KernelSpecies;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The forward pass's row-wise steps between projections: RMSNorm, residual adds, biases. */
final class RowOps {
    private RowOps() {}

    /** The float species, read from this constant (see {@link KernelSpecies#F}). */
    private static final VectorSpecies<Float> F = KernelSpecies.F;
    /** Its lanes, a constant: loads indexed by a loop counter times a constant lose their bounds checks in C2. */
    private static final int L = F.length();

    /** x[i] += y[i] for i in [from, to); a method of its own so that the layer methods have no hot loop (see {@link LlamaEngine#forward}). */
    static void addInto(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) x[i] += y[i];
    }

    /**
     * out = x / sqrt(mean(x²) + eps) * weight, per row of {@code dim} for rows [from, to); mean accumulated in double, in four
     * interleaved sums (one sum waits an addition's latency per element: ~3 % of stories260K's scoring).
     */
    static void rmsNorm(float[] x, float[] weight, float[] out, int from, int to, int dim, float eps) {
        if (Numerics.llamaCpp()) {
            LlamaCppRowOps.rmsNorm(x, weight, out, from, to, dim, eps);
            return;
        }
        for (int r = from; r < to; r++) {
            int o = r * dim, i = 0;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (; i + 4 <= dim; i += 4) {
                s0 += (double) x[o + i] * x[o + i];
                s1 += (double) x[o + i + 1] * x[o + i + 1];
                s2 += (double) x[o + i + 2] * x[o + i + 2];
                s3 += (double) x[o + i + 3] * x[o + i + 3];
            }
            for (; i < dim; i++) s0 += (double) x[o + i] * x[o + i];
            double ss = (s0 + s1) + (s2 + s3);
            float inv = (float) (1.0 / Math.sqrt(ss / dim + eps));
            // a vector at a time (C2 left this loop scalar); (x·inv)·w is the scalar expression's product
            for (i = 0; i + L <= dim; i += L) {
                FloatVector.fromArray(F, x, o + i)
                        .mul(inv)
                        .mul(FloatVector.fromArray(F, weight, i))
                        .intoArray(out, o + i);
            }
            for (; i < dim; i++) out[o + i] = weight[i] * (x[o + i] * inv);
        }
    }

    /** y[r·d + i] += bias[i] for every row r < rows, d = bias.length. */
    static void addBias(float[] y, float[] bias, int rows) {
        int d = bias.length;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < d; i++) y[r * d + i] += bias[i];
        }
    }
}
