package dev.llmcw.engine;

/**
 * The row-wise steps of the forward pass as ggml-cpu computes them (commit de3ff81, AVX2), for
 * {@link Numerics#LLAMA_CPP}: RMSNorm with the squares rounded to float before their double sum, and SwiGLU with
 * {@code ggml_v_silu} on whole vectors of 8 and libm's expf on a row's last few values.
 */
final class LlamaCppRowOps {
    private LlamaCppRowOps() {}

    /** {@code ggml_compute_forward_rms_norm_f32} followed by the multiplication by the norm's weight. */
    static void rmsNorm(float[] x, float[] weight, float[] out, int from, int to, int dim, float eps) {
        for (int r = from; r < to; r++) {
            int o = r * dim;
            double sum = 0;
            for (int i = 0; i < dim; i++) sum += x[o + i] * x[o + i];
            float mean = (float) (sum / dim);
            float scale = 1f / (float) Math.sqrt(mean + eps);
            for (int i = 0; i < dim; i++) out[o + i] = (x[o + i] * scale) * weight[i];
        }
    }

    /** g = silu(g)·u over rows [from, to) of {@code width} values ({@code ggml_vec_swiglu_f32} row by row). */
    static void swiglu(float[] g, float[] u, int from, int to, int width) {
        for (int r = from; r < to; r++) {
            int o = r * width, vectors = width & ~7, i = 0;
            for (; i < vectors; i++) g[o + i] = g[o + i] / (1f + GgmlFloatOps.vexpf(0f - g[o + i])) * u[o + i];
            for (; i < width; i++) g[o + i] = g[o + i] / (1f + GgmlFloatOps.expf(-g[o + i])) * u[o + i];
        }
    }
}
