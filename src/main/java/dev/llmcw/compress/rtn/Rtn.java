package dev.llmcw.compress.rtn;

import dev.llmcw.compress.quant.ScalarBlockQuantizer;
import dev.llmcw.compress.quant.UniformGrid;
import dev.llmcw.util.Parallel;

/**
 * Round-to-nearest, group-wise (algorithms.md §3.1): per output row and group of g input columns a
 * min–max {@link UniformGrid} (asymmetric with FP16 scale and b-bit zero, or symmetric with FP16 scale).
 * Bits/weight convention: asymmetric b + (16 + b)/g, symmetric b + 16/g.
 */
public final class Rtn {
    private Rtn() {}

    public record Result(int[] codes, UniformGrid grid) {
        public double[] dequantize() {
            return ScalarBlockQuantizer.decode(grid, codes);
        }
    }

    public static Result quantize(double[] w, int rows, int cols, int bits, int groupSize, boolean symmetric) {
        return quantize(w, rows, cols, bits, groupSize, symmetric, false);
    }

    /** @param mseClip shrink each group's range to its least-squared-error factor ({@link UniformGrid#fitClipped}) */
    public static Result quantize(
            double[] w, int rows, int cols, int bits, int groupSize, boolean symmetric, boolean mseClip) {
        UniformGrid grid = mseClip
                ? UniformGrid.fitClipped(w, rows, cols, bits, groupSize, symmetric)
                : UniformGrid.fit(w, rows, cols, bits, groupSize, symmetric);
        int[] codes = new int[rows * cols];
        Parallel.forRange(0, rows, 16, r -> {
            for (int c = 0; c < cols; c++) codes[r * cols + c] = grid.code(r, c, w[r * cols + c]);
        });
        return new Result(codes, grid);
    }
}
