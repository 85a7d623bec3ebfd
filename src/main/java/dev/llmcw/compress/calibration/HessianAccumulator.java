package dev.llmcw.compress.calibration;

import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.engine.Parallel;
import org.ejml.data.DMatrixRMaj;

/** Σ x·xᵀ over every input vector a linear layer saw, in double, plus the vector count. */
public final class HessianAccumulator {
    private final int n;
    private final double[] sum; // n×n, full (both triangles)
    private long count;

    public HessianAccumulator(int n) {
        this.n = n;
        this.sum = new double[n * n];
    }

    public static HessianAccumulator of(int n, double[] sum, long count) {
        HessianAccumulator a = new HessianAccumulator(n);
        System.arraycopy(sum, 0, a.sum, 0, sum.length);
        a.count = count;
        return a;
    }

    public int size() { return n; }
    public synchronized long count() { return count; }
    public double[] rawSum() { return sum; }

    /** Adds {@code batch} rows of {@code n} floats starting at x[off]. */
    public synchronized void add(float[] x, int off, int batch) {
        double[][] rows = new double[batch][n];
        for (int t = 0; t < batch; t++) for (int i = 0; i < n; i++) rows[t][i] = x[off + t * n + i];
        Parallel.forRange(0, n, 8, i -> {
            for (int t = 0; t < batch; t++) {
                double xi = rows[t][i];
                if (xi != 0) Dense.axpy(xi, rows[t], 0, sum, i * n, n);
            }
        });
        count += batch;
    }

    /** E[x·xᵀ] = Σ x·xᵀ / N. */
    public synchronized DMatrixRMaj mean() {
        if (count == 0) throw new IllegalStateException("no calibration vectors were captured");
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
