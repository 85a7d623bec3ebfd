package dev.llmcw.engine.train;

import dev.llmcw.util.Parallel;

/**
 * The MLP's activation h = silu(g) ⊙ u, silu(g) = g·σ(g), and its backward: du = dh ⊙ silu(g),
 * dg = dh ⊙ u ⊙ σ(g)·(1 + g·(1 − σ(g))). σ in double.
 */
final class SwiGlu {
    private SwiGlu() {}

    private static final int GRAIN = 8192;

    static void forward(float[] g, float[] u, float[] h, int size) {
        Parallel.forRange(0, size, GRAIN, i -> h[i] = (float) (g[i] * sigmoid(g[i]) * u[i]));
    }

    /** dg and du (overwritten) from dh. */
    static void backward(float[] g, float[] u, float[] dh, float[] dg, float[] du, int size) {
        Parallel.forRange(0, size, GRAIN, i -> {
            double s = sigmoid(g[i]);
            du[i] = (float) (dh[i] * g[i] * s);
            dg[i] = (float) (dh[i] * u[i] * s * (1 + g[i] * (1 - s)));
        });
    }

    private static double sigmoid(float x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }
}
