package dev.llmcw.compress.quant;

/** Block size 1 over a {@link UniformGrid}; codes kept row-major as ints. */
public final class ScalarBlockQuantizer implements BlockQuantizer {
    private final UniformGrid grid;
    private final int[] codes;

    public ScalarBlockQuantizer(UniformGrid grid) {
        this.grid = grid;
        this.codes = new int[grid.rows() * grid.cols()];
    }

    public static ScalarBlockQuantizer of(UniformGrid grid, int[] codes) {
        ScalarBlockQuantizer q = new ScalarBlockQuantizer(grid);
        if (codes.length != q.codes.length)
            throw new IllegalArgumentException("code count " + codes.length + " != " + q.codes.length);
        System.arraycopy(codes, 0, q.codes, 0, codes.length);
        return q;
    }

    @Override
    public int blockSize() {
        return 1;
    }

    @Override
    public void quantize(int row, int col, double[] w, int off) {
        int q = grid.code(row, col, w[off]);
        codes[row * grid.cols() + col] = q;
        w[off] = grid.value(row, col, q);
    }

    @Override
    public String label() {
        return "scalar-" + grid.bits() + "b";
    }

    public UniformGrid grid() {
        return grid;
    }

    public int[] codes() {
        return codes;
    }

    @Override
    public double[] decode() {
        return decode(grid, codes);
    }

    /** Reconstruction from codes. */
    public static double[] decode(UniformGrid grid, int[] codes) {
        int rows = grid.rows(), cols = grid.cols();
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) out[r * cols + c] = grid.value(r, c, codes[r * cols + c]);
        return out;
    }
}
