package dev.llmcw.compress.calibration;

import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.compress.linalg.StridedMatrix;
import dev.llmcw.util.Parallel;
import org.ejml.data.DMatrixRMaj;

/**
 * Σ x·xᵀ over every input vector a linear layer saw, in double, plus the vector count and Σ |x| per input
 * channel (AWQ's activation statistic, gathered in the same pass).
 */
public final class HessianAccumulator {
    private final int n;
    private final double[] sum; // n×n, full (both triangles)
    private double[] absSum; // n; null when read from a cache written before it was kept
    private long count;

    public HessianAccumulator(int n) {
        this(n, new double[n * n], new double[n]);
    }

    private HessianAccumulator(int n, double[] sum, double[] absSum) {
        this.n = n;
        this.sum = sum;
        this.absSum = absSum;
    }

    /**
     * Statistics over {@code sum} itself, not a copy (read from a cache: an 8192² group is 0.5 GB, so
     * it is not held twice).
     */
    static HessianAccumulator adopt(int n, double[] sum, long count, double[] absSum) {
        if (sum.length != n * n) throw new IllegalArgumentException("sum has " + sum.length + " entries, not " + n * n);
        HessianAccumulator a = new HessianAccumulator(n, sum, absSum);
        a.count = count;
        return a;
    }

    /** @param absSum Σ |x| per channel, or null when the statistics were saved without it */
    public static HessianAccumulator of(int n, double[] sum, long count, double[] absSum) {
        HessianAccumulator a = new HessianAccumulator(n);
        System.arraycopy(sum, 0, a.sum, 0, sum.length);
        a.count = count;
        a.absSum = absSum == null ? null : absSum.clone();
        return a;
    }

    public static HessianAccumulator of(int n, double[] sum, long count) {
        return of(n, sum, count, null);
    }

    /** Whether Σ |x| per channel is known ({@link #meanAbs}). */
    public synchronized boolean hasAbsSum() {
        return absSum != null;
    }

    /** Σ |x| per input channel (a copy). */
    public synchronized double[] absSum() {
        if (absSum == null) throw new IllegalStateException("these statistics hold no Σ|x| per channel");
        return absSum.clone();
    }

    /** E|x| per input channel: AWQ's activation statistic ({@code x.abs().mean(0)} of the official code). */
    public synchronized double[] meanAbs() {
        if (count == 0) throw new IllegalStateException("no calibration vectors were captured");
        double[] m = absSum();
        for (int i = 0; i < n; i++) m[i] /= count;
        return m;
    }

    public int size() {
        return n;
    }

    public synchronized long count() {
        return count;
    }

    /** The full symmetric n×n sum (both triangles). */
    public synchronized double[] rawSum() {
        symmetrise();
        return sum;
    }

    /**
     * Adds {@code batch} rows of {@code n} floats starting at x[off]: Σ += XᵀX as a blocked product over
     * the lower triangle only (tiles of 16 rows whose columns reach the diagonal), mirrored when read.
     * Every entry sums its terms in token order with one fused multiply-add each, as the rank-1 form did.
     */
    public synchronized void add(float[] x, int off, int batch) {
        double[] xd = new double[batch * n];
        for (int i = 0; i < xd.length; i++) xd[i] = x[off + i];
        int rowBlocks = (n + 15) / 16;
        Parallel.forRange(0, rowBlocks, 1, rb -> {
            int i0 = rb * 16, rows = Math.min(n, i0 + 16) - i0;
            int cols = i0 + rows; // columns 0..i1: the lower triangle of these rows (plus the diagonal tile)
            for (int t0 = 0; t0 < batch; t0 += 256) {
                int depth = Math.min(256, batch - t0);
                for (int j0 = 0; j0 < cols; j0 += 512) {
                    // A = the batch's columns i0.. read down the tokens: Xᵀ.
                    Dense.gemmAcc(
                            rows,
                            Math.min(512, cols - j0),
                            depth,
                            StridedMatrix.transposedRows(xd, t0 * n + i0, n),
                            StridedMatrix.rows(xd, t0 * n + j0, n),
                            StridedMatrix.rows(sum, i0 * n + j0, n));
                }
            }
        });
        if (absSum != null) {
            for (int t = 0; t < batch; t++) for (int i = 0; i < n; i++) absSum[i] += Math.abs(xd[t * n + i]);
        }
        count += batch;
        dirty = true;
    }

    private boolean dirty;

    /** Copies the accumulated lower triangle onto the upper one. */
    private void symmetrise() {
        if (!dirty) return;
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) sum[i * n + j] = sum[j * n + i];
        dirty = false;
    }

    /** E[x·xᵀ] = Σ x·xᵀ / N. */
    public synchronized DMatrixRMaj mean() {
        if (count == 0) throw new IllegalStateException("no calibration vectors were captured");
        symmetrise();
        DMatrixRMaj h = new DMatrixRMaj(n, n);
        for (int i = 0; i < sum.length; i++) h.data[i] = sum[i] / count;
        return h;
    }

    /**
     * CALDERA's regularisation (algorithms.md §2): H = E[xxᵀ], divided by mean(diag H), plus 0.01 on the
     * diagonal. A zero matrix (dead inputs only) becomes 0.01·I.
     */
    public DMatrixRMaj regularisedForCaldera() {
        DMatrixRMaj h = mean();
        double md = 0;
        for (int i = 0; i < n; i++) md += h.get(i, i);
        md /= n;
        if (md > 0) for (int i = 0; i < h.data.length; i++) h.data[i] /= md;
        for (int i = 0; i < n; i++) h.add(i, i, 0.01);
        return h;
    }

    /** GPTQ's H = (2/N)·Σ x·xᵀ (its damping is applied inside {@code Gptq}). */
    public DMatrixRMaj forGptq() {
        DMatrixRMaj h = mean();
        for (int i = 0; i < h.data.length; i++) h.data[i] *= 2;
        return h;
    }
}
