package dev.llmcw.engine;

import dev.llmcw.model.ModelConfig;
import dev.llmcw.tensor.KernelSpecies;
import dev.llmcw.tensor.VectorExp;
import dev.llmcw.tensor.VectorKernels;
import dev.llmcw.util.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Causal attention of a chunk's queries over the cache, key by key: decode steps (prompts: {@link SegmentAttention}). */
final class CausalAttention {
    private CausalAttention() {}

    /** The float species, read from this constant (see {@link KernelSpecies#F}). */
    private static final VectorSpecies<Float> F = KernelSpecies.F;

    /** One KV head's values in the cache: value row j at cache[j·stride + offset ..+dim). */
    private record HeadValues(float[] cache, int offset, int stride, int dim) {}

    /**
     * Causal softmax attention of query rows [from, n) of a chunk of n (positions start..) over the cache, one job
     * per (query, head), scores by dot products key by key. Used for decode steps (fewer than 4 rows); prompts
     * take {@link SegmentAttention} (vectorised over keys), which tests check against this.
     */
    static void attend(ModelConfig c, AttentionBuffers io, int n, int from, int start) {
        float[] q = io.q(), kc = io.keys(), vc = io.values(), out = io.out();
        int hd = c.headDim(), qDim = c.qDim(), kvDim = c.kvDim(), heads = c.nHeads();
        int group = heads / c.nKvHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        Arrays.fill(out, from * qDim, n * qDim, 0f);
        int total = start + n;
        int grain = Math.max(1, 32768 / (total * hd));
        Parallel.forRange(0, heads * (n - from), grain, job -> {
            int h = job % heads, t = from + job / heads;
            int kvOff = (h / group) * hd;
            int len = start + t + 1;
            float[] scores = new float[len];
            int qo = t * qDim + h * hd;
            for (int j = 0; j < len; j++) scores[j] = VectorKernels.dot(q, qo, kc, j * kvDim + kvOff, hd);
            softmaxInto(scores, 0, len, scale, new HeadValues(vc, kvOff, kvDim, hd), out, qo);
        });
    }

    /** out[o..o+hd) = Σ_j softmax(scale·s)_j · v_j over the first len raw scores at s[sOff..]. */
    private static void softmaxInto(float[] s, int sOff, int len, float scale, HeadValues values, float[] out, int o) {
        float[] vc = values.cache();
        int kvOff = values.offset(), kvDim = values.stride(), hd = values.dim();
        float max = VectorKernels.max(s, sOff, len);
        // exponentials a vector at a time by VectorExp (the scalar tail by its scalar twin, same bits) instead
        // of Math.exp per key, which was ~4 % of a SmolLM2-135M decode step at a few hundred positions
        int lanes = F.length(), j = 0;
        for (; j + lanes <= len; j += lanes) {
            VectorExp.exp(FloatVector.fromArray(F, s, sOff + j).sub(max).mul(scale))
                    .intoArray(s, sOff + j);
        }
        for (; j < len; j++) s[sOff + j] = VectorExp.exp((s[sOff + j] - max) * scale);
        double sum = 0;
        for (j = 0; j < len; j++) sum += s[sOff + j];
        float inv = (float) (1.0 / sum);
        for (j = 0; j < len; j++) VectorKernels.axpy(s[sOff + j] * inv, vc, j * kvDim + kvOff, out, o, hd);
    }
}
