package dev.llmcw.compress.caldera;

import dev.llmcw.compress.linalg.RandomizedHadamard;
import dev.llmcw.compress.quant.E8PLinear;
import dev.llmcw.compress.rtn.GroupQuantLinear;
import dev.llmcw.tensor.Linear;

/**
 * y = g · T_mᵀ·(Q·x' + L·(R·x')) with x' = T_n·x: the CALDERA layer without materialising Ŵ. Q runs on
 * its codes (bit-packed scalar grid or 16-bit E8P indices, decoded inside the matvec); L and R stay in their
 * stored form too ({@link FactorMatrix}) and run as two thin matvecs, R·x' then L·(R·x').
 */
public final class CalderaLinear implements Linear {
    private final int rows, cols, inCols, rank; // cols: stored (padded) width, inCols: the layer's input width
    private final float g;
    private final RandomizedHadamard tm, tn; // null without Hadamard
    private final Linear q;
    private final FactorMatrix l, r; // rows×rank, rank×cols
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
    public record Factors(
            float g, RandomizedHadamard tm, RandomizedHadamard tn, Linear q, FactorMatrix l, FactorMatrix r) {}

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

    /**
     * Bytes of the arrays this layer keeps for its stored parts (Q's packed codes or indices, the factors);
     * the Hadamard transforms, regenerated from the seed and shared by layers of one width, are not counted.
     */
    public long residentBytes() {
        long qBytes = switch (q) {
            case GroupQuantLinear g -> g.residentBytes();
            case E8PLinear e -> e.residentBytes();
            default -> q.storageBytes();
        };
        return qBytes + (rank > 0 ? l.residentBytes() + r.residentBytes() : 0);
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
        if (rank > 0) { // two thin products: z = R·x' (rank values a token), then L·z
            float[] z = new float[batch * rank], lz = new float[batch * rows];
            r.forward(xr, 0, z, 0, batch);
            l.forward(z, 0, lz, 0, batch);
            for (int i = 0; i < batch * rows; i++) yr[i] += lz[i];
        }
        if (tm != null) {
            double[] work = new double[rows];
            for (int b = 0; b < batch; b++) tm.applyTranspose(yr, b * rows, work);
        }
        for (int i = 0; i < batch * rows; i++) y[yOff + i] = g * yr[i];
    }
}
