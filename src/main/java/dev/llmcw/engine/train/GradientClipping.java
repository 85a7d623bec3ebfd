package dev.llmcw.engine.train;

import java.util.List;

/**
 * Global-norm gradient clipping as PyTorch's {@code clip_grad_norm_}: the L2 norm over all gradients (summed in
 * float64, so no float32 overflow or loss of small terms), and when it exceeds {@code maxNorm} every gradient is
 * scaled by {@code maxNorm/(norm + 1e-6)}.
 */
public final class GradientClipping {
    private GradientClipping() {}

    /** The L2 norm of all gradients together, summed in float64. */
    public static double globalNorm(List<Parameter> parameters) {
        double ss = 0;
        for (Parameter p : parameters) for (float g : p.grad()) ss += (double) g * g;
        return Math.sqrt(ss);
    }

    /** Clips in place and returns the norm before clipping; {@code maxNorm} ≤ 0 measures only. */
    public static double clip(List<Parameter> parameters, double maxNorm) {
        double norm = globalNorm(parameters);
        if (maxNorm > 0 && norm > maxNorm) scale(parameters, maxNorm / (norm + 1e-6));
        return norm;
    }

    /** Multiplies every gradient by {@code factor} (e.g. 1/n to average n accumulated sequences). */
    public static void scale(List<Parameter> parameters, double factor) {
        for (Parameter p : parameters) {
            float[] g = p.grad();
            for (int i = 0; i < g.length; i++) g[i] = (float) (g[i] * factor);
        }
    }
}
