package dev.llmcw.compress.quant;

/**
 * One uniform grid (one scale and zero) for a whole rows×cols matrix: CALDERA's {@code lr_grid=tensor} for
 * the factors L and R, where per-row grids cost up to ~0.27 bits/weight on small models. Stored as a scalar
 * grid over the flattened matrix (1 × rows·cols, same row-major order), so files read it back as a
 * {@link ScalarBlockQuantizer} whose decode is the same matrix.
 */
public final class TensorScalarQuantizer implements BlockQuantizer {
    private final int cols;
    private final ScalarBlockQuantizer flat;

    /** Fits the grid to all of {@code w} (rows×cols) with {@link UniformGrid#fitClipped}'s MSE-optimal range. */
    public TensorScalarQuantizer(double[] w, int rows, int cols, int bits) {
        this.cols = cols;
        this.flat = new ScalarBlockQuantizer(UniformGrid.fitClipped(w, 1, rows * cols, bits, 0, false));
    }

    /** The stored form: a 1 × rows·cols scalar grid and its codes. */
    public ScalarBlockQuantizer flat() {
        return flat;
    }

    @Override
    public int blockSize() {
        return 1;
    }

    @Override
    public void quantize(int row, int col, double[] w, int off) {
        flat.quantize(0, row * cols + col, w, off);
    }

    @Override
    public String label() {
        return "scalar-" + flat.grid().bits() + "b-tensor";
    }

    @Override
    public double[] decode() {
        return flat.decode();
    }
}
