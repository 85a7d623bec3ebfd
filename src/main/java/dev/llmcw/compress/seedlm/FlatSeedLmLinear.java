package dev.llmcw.compress.seedlm;

import dev.llmcw.tensor.Linear;
import dev.llmcw.util.Parallel;

/**
 * y = Ŵ·x for a flat-layout tensor whose rows are not whole blocks (C does not divide cols), so blocks
 * straddle rows and the row-wise kernels ({@link SeedLmLinear}, {@link LfsrSteppingLinear}) do not apply.
 * Per output row it regenerates the blocks covering that row from their seeds (a block spanning two rows is
 * regenerated for each) into one row of weights and takes its dot products; nothing decoded is kept between
 * calls. Scalar register stepping: slower than the row kernels, the price of the exact bit budget.
 */
final class FlatSeedLmLinear implements Linear {
    private final SeedLmTensor t;
    private final int rows, cols, c, p, k, mask;
    private final float[] coef = new float[256];

    FlatSeedLmLinear(SeedLmTensor t) {
        if (!t.config().flat()) throw new IllegalArgumentException("flat-layout kernel given a per-row SeedLM tensor");
        this.t = t;
        this.rows = t.rows();
        this.cols = t.cols();
        this.c = t.config().c();
        this.p = t.config().p();
        this.k = t.config().k();
        this.mask = Lfsr.tapMask(k);
        for (int e = -8; e < 8; e++) {
            for (int q = -8; q < 8; q++) coef[(e + 8) << 4 | (q & 0xF)] = (float) CoefficientQuantizer.value(q, e);
        }
    }

    @Override
    public int inFeatures() {
        return cols;
    }

    @Override
    public int outFeatures() {
        return rows;
    }

    @Override
    public String kind() {
        return "seedlm flat on-the-fly";
    }

    @Override
    public long storageBytes() {
        return SeedLmTensor.payloadBytes(rows, cols, t.config());
    }

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        Parallel.forRange(0, rows, 4, o -> {
            float[] w = new float[cols];
            double[] u = new double[c * p];
            float[] tc = new float[p];
            long first = (long) o * cols, end = first + cols;
            for (int blk = (int) (first / c); (long) blk * c < end; blk++) {
                int s = t.seed(blk);
                for (int i = 0; i < u.length; i++) {
                    s = Lfsr.step(s, k, mask);
                    u[i] = Lfsr.normalise(s, k);
                }
                int e = t.exponent(blk);
                for (int i = 0; i < p; i++) tc[i] = coef[(e + 8) << 4 | (t.code(blk, i) & 0xF)];
                for (int r = 0; r < c; r++) {
                    long pos = (long) blk * c + r;
                    if (pos < first || pos >= end) continue;
                    double v = 0;
                    for (int i = 0; i < p; i++) v += u[r * p + i] * tc[i];
                    w[(int) (pos - first)] = (float) (t.scale() * v);
                }
            }
            for (int b = 0; b < batch; b++) {
                float acc = 0;
                int xo = xOff + b * cols;
                for (int j = 0; j < cols; j++) acc += w[j] * x[xo + j];
                y[yOff + b * rows + o] = acc;
            }
        });
    }
}
