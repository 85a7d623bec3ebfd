package dev.llmcw.engine.train;

import dev.llmcw.model.ModelConfig;
import dev.llmcw.tensor.VectorKernels;
import dev.llmcw.util.Parallel;
import java.util.Arrays;

/**
 * Causal softmax attention of one sequence with grouped-query heads (query head h reads KV head
 * h / (heads / kvHeads)), keeping the attention probabilities for backward: heads·T² floats per layer.
 *
 * <p>Forward per head: s_tj = q_t·k_j / √hd for j ≤ t, P_t = softmax(s_t), out_t = Σ_j P_tj v_j.
 * Backward: dP_tj = dout_t·v_j, ds_tj = P_tj (dP_tj − Σ_i P_ti dP_ti), dq_t = Σ_j ds_tj k_j / √hd,
 * dk_j += Σ_t ds_tj q_t / √hd, dv_j += Σ_t P_tj dout_t; the gradients of the query heads that share a KV
 * head are summed into it.
 */
final class CausalSelfAttention {
    private final int heads, kvHeads, hd, qDim, kvDim, group;
    private final float scale;

    CausalSelfAttention(ModelConfig c) {
        this.heads = c.nHeads();
        this.kvHeads = c.nKvHeads();
        this.hd = c.headDim();
        this.qDim = c.qDim();
        this.kvDim = c.kvDim();
        this.group = heads / kvHeads;
        this.scale = (float) (1.0 / Math.sqrt(hd));
    }

    /** a.att (T×qDim) from a's rotated q (T×qDim), k and v (T×kvDim); a.probs (heads×T×T) receives P, zero above the diagonal. */
    void forward(LayerActivations a, int n) {
        float[] q = a.q, k = a.k, v = a.v, probs = a.probs, out = a.att;
        Arrays.fill(out, 0, n * qDim, 0f);
        Parallel.forRange(0, heads * n, Math.max(1, 4096 / (n * hd)), job -> {
            int h = job / n, t = job % n, kvOff = (h / group) * hd, qo = t * qDim + h * hd;
            int p = (h * n + t) * n;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j <= t; j++) {
                float s = VectorKernels.dot(q, qo, k, j * kvDim + kvOff, hd) * scale;
                probs[p + j] = s;
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int j = 0; j <= t; j++) {
                double e = Math.exp(probs[p + j] - max);
                probs[p + j] = (float) e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j <= t; j++) {
                probs[p + j] *= inv;
                VectorKernels.axpy(probs[p + j], v, j * kvDim + kvOff, out, qo, hd);
            }
            Arrays.fill(probs, p + t + 1, p + n, 0f);
        });
    }

    /** dq (T×qDim), dk and dv (T×kvDim), all overwritten, from dout (T×qDim) and what {@link #forward} kept in a. */
    void backward(LayerActivations a, float[] dout, float[] dq, float[] dk, float[] dv, int n) {
        float[] q = a.q, k = a.k, v = a.v, probs = a.probs;
        Arrays.fill(dq, 0, n * qDim, 0f);
        Arrays.fill(dk, 0, n * kvDim, 0f);
        Arrays.fill(dv, 0, n * kvDim, 0f);
        // one job per KV head: it owns its slices of dk and dv and the dq slices of the query heads it serves
        Parallel.forRange(0, kvHeads, 1, g -> {
            int kvOff = g * hd;
            float[] ds = new float[n];
            for (int h = g * group; h < (g + 1) * group; h++) {
                for (int t = 0; t < n; t++) {
                    int qo = t * qDim + h * hd, p = (h * n + t) * n;
                    double weighted = 0;
                    for (int j = 0; j <= t; j++) {
                        ds[j] = VectorKernels.dot(dout, qo, v, j * kvDim + kvOff, hd);
                        weighted += (double) probs[p + j] * ds[j];
                    }
                    float w = (float) weighted;
                    for (int j = 0; j <= t; j++) {
                        float pj = probs[p + j], s = pj * (ds[j] - w) * scale;
                        VectorKernels.axpy(pj, dout, qo, dv, j * kvDim + kvOff, hd);
                        VectorKernels.axpy(s, k, j * kvDim + kvOff, dq, qo, hd);
                        VectorKernels.axpy(s, q, qo, dk, j * kvDim + kvOff, hd);
                    }
                }
            }
        });
    }
}
