package dev.llmcw.compress.quant;

import dev.llmcw.util.Parallel;

/**
 * Quantises a matrix block by block, remembering the codes: the hook LDLQ and the CALDERA factor
 * steps call. A block is {@link #blockSize()} consecutive columns of one row (1 for scalar grids,
 * 8 for the E8P lattice).
 */
public interface BlockQuantizer {
    int blockSize();

    /** Replaces {@code w[off..off+blockSize)} (= W[row, col..col+blockSize)) by its reconstruction and records its code. */
    void quantize(int row, int col, double[] w, int off);

    /** Short label recorded with results: "scalar-2b", "e8p12", "e8p12-rvq4". */
    String label();

    /** Reconstruction (rows × cols, row-major) from the codes recorded so far. */
    double[] decode();

    /** Quantises a whole row-major matrix directly (no error feedback), returning the reconstruction. */
    default double[] quantizeAll(double[] w, int rows, int cols) {
        double[] out = w.clone();
        int bs = blockSize();
        Parallel.forRange(0, rows, 8, r -> {
            for (int c = 0; c < cols; c += bs) quantize(r, c, out, r * cols + c);
        });
        return out;
    }
}
