package dev.llmcw.engine;

import dev.llmcw.tensor.KernelSpecies;
import dev.llmcw.tensor.VectorExp;
import dev.llmcw.tensor.VectorKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Reductions over a row of logits: argmax and log-sum-exp, as scoring needs them. */
final class Logits {
    private Logits() {}

    /** The float species, read from this constant (see {@link KernelSpecies#F}). */
    private static final VectorSpecies<Float> F = KernelSpecies.F;
    /** Its lanes, a constant: loads indexed by a loop counter times a constant lose their bounds checks in C2. */
    private static final int L = F.length();

    /** The first index j ≤ last with a[off + j] == value, or last + 1 if there is none. */
    static int firstIndexOf(float[] a, int off, int last, float value) {
        int j = 0;
        while (j <= last && a[off + j] != value) j++;
        return j;
    }

    /** The first index of the largest of a[off..off+n). */
    static int argmax(float[] a, int off, int n) {
        int best = 0;
        float bv = a[off];
        for (int i = 1; i < n; i++) {
            if (a[off + i] > bv) {
                bv = a[off + i];
                best = i;
            }
        }
        return best;
    }

    /**
     * log Σ exp(a[off..off+n)) (n ≥ 1), the maximum subtracted first; {@code lanes} holds at least two vectors.
     */
    static double logSumExp(float[] a, int off, int n, float[] lanes) {
        return logSumExp(a, off, n, VectorKernels.max(a, off, n), lanes);
    }

    /**
     * {@link #logSumExp(float[], int, int, float[])} with the row's maximum already known: e^(a − max) in
     * float a vector at a time ({@link VectorExp#exp}, within 2 ulp; one call per loop body, see VectorExp),
     * summed by compensated (Kahan) float lane sums, the lanes then added in double in a fixed order
     * (reduceLanes' order is left open and differs between compiled and interpreted code). Within ≈ 1e-7 of
     * the double computation per row, independently rounded from row to row: the lm-eval golden fixtures'
     * worst PIQA item moved from 9.10e-5 to 8.98e-5 of the float64 reference when this replaced a double
     * version (double exponentials four lanes at a time cost 4.7 % of stories260K's PIQA time, this 2.5 %);
     * an earlier float version with plain float lane sums had moved it past 1e-4.
     */
    static double logSumExp(float[] a, int off, int n, float max, float[] lanes) {
        FloatVector u = FloatVector.zero(F), c = u;
        int i = 0;
        // two exponentials per step (their latency overlaps), summed one after the other as below
        for (; i + 2 * L <= n; i += 2 * L) {
            FloatVector e = VectorExp.exp(FloatVector.fromArray(F, a, off + i).sub(max));
            FloatVector f =
                    VectorExp.exp(FloatVector.fromArray(F, a, off + i + L).sub(max));
            FloatVector y = e.sub(c), t = u.add(y);
            c = t.sub(u).sub(y);
            u = t;
            y = f.sub(c);
            t = u.add(y);
            c = t.sub(u).sub(y);
            u = t;
        }
        for (; i + L <= n; i += L) {
            FloatVector e = VectorExp.exp(FloatVector.fromArray(F, a, off + i).sub(max));
            FloatVector y = e.sub(c), t = u.add(y);
            c = t.sub(u).sub(y);
            u = t;
        }
        u.intoArray(lanes, 0);
        c.intoArray(lanes, L);
        double sum = 0;
        for (int j = 0; j < L; j++) sum += lanes[j];
        for (int j = 0; j < L; j++) sum -= lanes[L + j];
        for (; i < n; i++) sum += VectorExp.exp(a[off + i] - max);
        return max + Math.log(sum);
    }
}
