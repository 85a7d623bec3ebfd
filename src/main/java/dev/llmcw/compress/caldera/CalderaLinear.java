package dev.llmcw.compress.caldera;

import dev.llmcw.compress.linalg.RandomizedHadamard;
import dev.llmcw.tensor.Linear;
import dev.llmcw.util.Parallel;

/**
 * y = g · T_mᵀ·(Q·x' + L·(R·x')) with x' = T_n·x: the CALDERA layer without materialising Ŵ. Q runs on
 * its codes (scalar grid or E8P table decode inside the matvec); L and R are small and kept decoded.
 */
public final class CalderaLinear implements Linear {
    private final int rows, cols, inCols, rank; // cols: stored (padded) width, inCols: the layer's input width
    private final float g;
    private final RandomizedHadamard tm, tn; // null without Hadamard
    private final Linear q;
    private final float[] l, r; // rows×rank, rank×cols
    private final long storageBytes;
    private final String label;

    /**
     * The decoded factors of W ≈ g · T_mᵀ·(Q + L·R)·T_n.
     *
     * @param tm the output-side Hadamard transform, or null without Hadamard
     * @param tn the input-side Hadamard transform, or null without Hadamard
     * @param l  rows×rank, null when the rank is 0
     * @param r  rank×cols, null when the rank is 0
     */
    public record Factors(float g, RandomizedHadamard tm, RandomizedHadamard tn, Linear q, float[] l, float[] r) {}

    /**
     * @param cols  the stored (padded) width
     * @param inCols the layer's input width
     */
    public CalderaLinear(int rows, int cols, int inCols, int rank, Factors factors, long storageBytes, String label) {
        this.rows = rows;
        this.cols = cols;
        this.inCols = inCols;
        this.rank = rank;
        this.g = factors.g();
        this.tm = factors.tm();
        this.tn = factors.tn();
        this.q = factors.q();
        this.l = factors.l();
        this.r = factors.r();
        this.storageBytes = storageBytes;
        this.label = label;
    }

    @Override
    public int inFeatures() {
        return inCols;
    }

    @Override
    public int outFeatures() {
        return rows;
    }

    @Override
    public long storageBytes() {
        return storageBytes;
    }

    @Override
    public String kind() {
        return "caldera " + label + " on-the-fly";
    }

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        float[] xr = new float[batch * cols]; // zero-padded to the stored width
        for (int b = 0; b < batch; b++) System.arraycopy(x, xOff + b * inCols, xr, b * cols, inCols);
        if (tn != null) {
            double[] work = new double[cols];
            for (int b = 0; b < batch; b++) tn.apply(xr, b * cols, work);
        }
        float[] yr = new float[batch * rows];
        q.forward(xr, 0, yr, 0, batch);
        if (rank > 0) {
            float[] z = new float[batch * rank];
            Parallel.forRange(0, rank, 1, k -> {
                for (int b = 0; b < batch; b++) {
                    float s = 0;
                    for (int c = 0; c < cols; c++) s += r[k * cols + c] * xr[b * cols + c];
                    z[b * rank + k] = s;
                }
            });
            Parallel.forRange(0, rows, 16, i -> {
                for (int b = 0; b < batch; b++) {
                    float s = 0;
                    for (int k = 0; k < rank; k++) s += l[i * rank + k] * z[b * rank + k];
                    yr[b * rows + i] += s;
                }
            });
        }
        if (tm != null) {
            double[] work = new double[rows];
            for (int b = 0; b < batch; b++) tm.applyTranspose(yr, b * rows, work);
        }
        for (int i = 0; i < batch * rows; i++) y[yOff + i] = g * yr[i];
    }
}
