package dev.llmcw.compress.awq;

import dev.llmcw.compress.quant.UniformGrid;
import dev.llmcw.util.Parallel;
import org.ejml.data.DMatrixRMaj;

/**
 * The stored form of an AWQ layer: W·diag(s) on a min–max asymmetric group grid (RTN's), optionally with each
 * (row, group) clipped first to the range ±m that AWQ's {@code auto_clip.py} picks, and the FP16 input scales s
 * the layer divides its input by. Dequantised W = Q(W·diag(s))·diag(s)⁻¹.
 *
 * <p>Clipping (official): m = max|w'|·(1 − i/20) for i = 0..9, w' clamped to [−m, m] and quantised, scored by the
 * group's output error δᵀ·H'·δ with δ = Q(clamp(w')) − w' and H' = E[x'·x'ᵀ] of the scaled inputs x' = x/s; the
 * first (widest) range of least error wins. The official code samples 512 tokens for this; H covers them all.
 */
public final class AwqQuantizer {
    /** Steps of the clipping grid and how far it shrinks (official n_grid = 20, max_shrink = 0.5). */
    public static final int CLIP_GRID = 20;

    public static final double MAX_SHRINK = 0.5;

    private AwqQuantizer() {}

    /** Codes on {@code grid} of W·diag(s) (clipped where chosen), and s. */
    public record Result(int[] codes, UniformGrid grid, double[] scales) {
        public double[] dequantize() {
            int rows = grid.rows(), cols = grid.cols();
            double[] w = new double[rows * cols];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) w[r * cols + c] = grid.value(r, c, codes[r * cols + c]) / scales[c];
            return w;
        }
    }

    /** W·diag(s). */
    public static double[] scaleColumns(double[] w, int rows, int cols, double[] s) {
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) out[r * cols + c] = w[r * cols + c] * s[c];
        return out;
    }

    /**
     * @param clipH E[x·xᵀ] of the (unscaled) inputs to search each group's clipping range with, or null for plain
     *     min–max groups (no clipping; the official code also skips q and k)
     */
    public static Result quantize(
            double[] w, int rows, int cols, double[] s, int bits, int groupSize, DMatrixRMaj clipH) {
        double[] ws = scaleColumns(w, rows, cols, s);
        if (clipH == null) {
            UniformGrid g = UniformGrid.fit(ws, rows, cols, bits, groupSize, false);
            int[] codes = new int[rows * cols];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) codes[r * cols + c] = g.code(r, c, ws[r * cols + c]);
            return new Result(codes, g, s.clone());
        }
        UniformGrid g = UniformGrid.empty(rows, cols, bits, groupSize, false);
        int gs = g.groupSize();
        int[] codes = new int[rows * cols];
        Parallel.forRange(0, rows, 4, r -> {
            for (int gi = 0; gi < g.groups(); gi++) {
                int c0 = gi * gs, len = Math.min(cols, c0 + gs) - c0;
                double[] group = new double[len];
                System.arraycopy(ws, r * cols + c0, group, 0, len);
                double m = bestClip(group, c0, s, clipH, bits);
                double[] clamped = clamp(group, m);
                double min = 0, max = 0;
                for (double v : clamped) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                g.setGroup(r, gi, min, max);
                for (int i = 0; i < len; i++) codes[r * cols + c0 + i] = g.code(r, c0 + i, clamped[i]);
            }
        });
        return new Result(codes, g, s.clone());
    }

    /** The clipping bound m of one group of scaled weights w' (columns c0.. of the layer). */
    static double bestClip(double[] group, int c0, double[] s, DMatrixRMaj h, int bits) {
        double maxAbs = 0;
        for (double v : group) maxAbs = Math.max(maxAbs, Math.abs(v));
        double best = maxAbs, bestErr = Double.POSITIVE_INFINITY;
        int steps = (int) (MAX_SHRINK * CLIP_GRID);
        double[] delta = new double[group.length];
        for (int i = 0; i < steps; i++) {
            double m = maxAbs * (1 - (double) i / CLIP_GRID);
            double[] clamped = clamp(group, m);
            UniformGrid g = UniformGrid.fit(clamped, 1, group.length, bits, group.length, false);
            // δ in the unscaled domain: (q − w')/s, so that δᵀHδ = (q − w')ᵀ·H'·(q − w')
            for (int c = 0; c < group.length; c++) delta[c] = (g.quantize(0, c, clamped[c]) - group[c]) / s[c0 + c];
            double err = 0;
            for (int a = 0; a < group.length; a++) {
                double row = 0;
                for (int b = 0; b < group.length; b++) row += h.get(c0 + a, c0 + b) * delta[b];
                err += delta[a] * row;
            }
            if (err < bestErr) {
                bestErr = err;
                best = m;
            }
        }
        return best;
    }

    private static double[] clamp(double[] v, double m) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Math.max(-m, Math.min(m, v[i]));
        return out;
    }
}
