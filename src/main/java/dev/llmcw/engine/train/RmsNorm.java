package dev.llmcw.engine.train;

import dev.llmcw.util.Parallel;

/**
 * RMSNorm and its backward pass over rows of {@code dim}: y = w ⊙ x · r with r = 1/√(mean(x²) + eps).
 *
 * <p>Backward, per row: dx = r·(w ⊙ dy) − x · r³/dim · Σᵢ wᵢ dyᵢ xᵢ, and dw += dy ⊙ x · r summed over rows.
 */
final class RmsNorm {
    private RmsNorm() {}

    /** out = w ⊙ x · r per row; inv[row] = r (kept for backward). Sums of squares in double, as the engine's. */
    static void forward(float[] x, float[] w, float[] out, float[] inv, int rows, int dim, float eps) {
        Parallel.forRange(0, rows, rowGrain(dim), t -> {
            int o = t * dim;
            double ss = 0;
            for (int i = 0; i < dim; i++) ss += (double) x[o + i] * x[o + i];
            float r = (float) (1.0 / Math.sqrt(ss / dim + eps));
            inv[t] = r;
            for (int i = 0; i < dim; i++) out[o + i] = w[i] * (x[o + i] * r);
        });
    }

    /**
     * dx += dLoss/dx of the norm (accumulated: the residual stream's gradient is already there), and, when
     * {@code dw} is not null, dw += dLoss/dw.
     */
    static void backward(float[] x, float[] w, float[] inv, float[] dy, float[] dx, float[] dw, int rows, int dim) {
        Parallel.forRange(0, rows, rowGrain(dim), t -> {
            int o = t * dim;
            double r = inv[t], dot = 0;
            for (int i = 0; i < dim; i++) dot += (double) w[i] * dy[o + i] * x[o + i];
            double c = r * r * r * dot / dim;
            for (int i = 0; i < dim; i++) dx[o + i] += (float) (r * w[i] * dy[o + i] - c * x[o + i]);
        });
        if (dw == null) return;
        // over rows into one vector: columns in parallel, each summed in double over the rows in order
        Parallel.forRange(0, dim, Math.max(1, 8192 / Math.max(1, rows)), i -> {
            double s = 0;
            for (int t = 0; t < rows; t++) s += (double) dy[t * dim + i] * x[t * dim + i] * inv[t];
            dw[i] += (float) s;
        });
    }

    private static int rowGrain(int dim) {
        return Math.max(1, 8192 / dim);
    }
}
