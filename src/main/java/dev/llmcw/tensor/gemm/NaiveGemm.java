package dev.llmcw.tensor.gemm;

import dev.llmcw.tensor.Tensor;

/**
 * The scalar twin of {@link BlockedGemm}: y[t][r] = Σ_k W[r][k]·x_t[k] + b[r], one weight at a time through
 * {@link Tensor#get} (the storage types' scalar decoding, not their vector unpacking) and float sums over k in
 * order. Tests compare the blocked kernel against it; it is far too slow for inference.
 */
public final class NaiveGemm {
    private NaiveGemm() {}

    /** y[yOff + t·out + r] for every row r of {@code weight} and each of x's {@code tokens} rows of n values. */
    public static void multiply(Tensor weight, float[] bias, float[] x, int xOff, int tokens, float[] y, int yOff) {
        int out = weight.rows(), n = weight.cols();
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < out; r++) {
                float s = 0f;
                for (int k = 0; k < n; k++) s += weight.get((long) r * n + k) * x[xOff + t * n + k];
                y[yOff + t * out + r] = s + (bias == null ? 0f : bias[r]);
            }
        }
    }
}
