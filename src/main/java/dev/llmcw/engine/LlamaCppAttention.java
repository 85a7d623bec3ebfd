package dev.llmcw.engine;

import dev.llmcw.model.ModelConfig;
import dev.llmcw.util.Parallel;
import java.util.Arrays;

/**
 * Attention as llama.cpp's CPU backend computes it by default ({@code ggml_compute_forward_flash_attn_ext_f16},
 * ggml-cpu/ops.cpp at commit de3ff81, AVX2): keys and values read from an F16 cache, and one of its two paths.
 * <ul>
 *   <li>Batches of at least {@link #TILE} queries (a prompt, a perplexity chunk) whose head size is a multiple of 8
 *       take the tiled path: float queries against keys 64 slots at a time, each score a fused multiply-add
 *       chain over the head dimension, then scaled; an online softmax per tile with {@code ggml_v_expf} and the
 *       tile's sum kept in double; values accumulated in float by fused multiply-adds in slot order.
 *   <li>Smaller batches (decode) take the one-query path: the query rounded to F16, F16 dot products, libm
 *       {@code expf} key by key, and the weighted values accumulated in an F16 vector ({@code ggml_vec_mad_f16}),
 *       rounded after every key.
 * </ul>
 * Written one query row and head at a time (a reference mode, not a fast path); a row's result does not depend
 * on the other rows of its tile, as in llama.cpp. Not emulated: the split-KV decode path that llama.cpp takes
 * from 512 cached slots on (its per-thread partial sums depend on the thread count).
 */
final class LlamaCppAttention {
    private LlamaCppAttention() {}

    /** GGML_FA_TILE_Q and GGML_FA_TILE_KV. */
    static final int TILE = 64;
    /** GGML_F32_EPR with AVX2: the tiled path needs the head size to be a multiple of it. */
    static final int F32_LANES = 8;

    /** One query's keys: cache slots [0, prefixEnd) and [ownFrom, ownTo]. */
    private record Visible(int prefixEnd, int ownFrom, int ownTo) {
        boolean contains(int slot) {
            return slot < prefixEnd || (slot >= ownFrom && slot <= ownTo);
        }
    }

    /**
     * Attention of the chunk's rows [from, n) (cache slots start..) over the cache, whose keys and values hold
     * F16 values; {@code seg} null means causal.
     */
    static void attend(ModelConfig c, AttentionBuffers io, int n, int from, int start, Segments seg) {
        Segments s = seg != null ? seg : Segments.causal(start, n);
        int heads = c.nHeads(), hd = c.headDim(), group = heads / c.nKvHeads();
        boolean tiled = n >= TILE && hd % F32_LANES == 0;
        // llama.cpp's kq_scale: 1.0f/sqrtf(n_embd_head)
        float scale = 1f / (float) Math.sqrt(hd);
        Parallel.forRange(0, heads * (n - from), Math.max(1, 4096 / ((start + n) * hd)), job -> {
            int h = job % heads, t = from + job / heads;
            int g = s.segment(t);
            Visible vis = new Visible(s.prefixEnd[g], start + s.rowStart[g], start + t);
            int qo = t * c.qDim() + h * hd, kvOff = (h / group) * hd;
            if (tiled) tiledRow(c, io, qo, kvOff, start + n, vis, scale);
            else oneQueryRow(c, io, qo, kvOff, start + n, vis, scale);
        });
    }

    /** {@code ggml_compute_forward_flash_attn_ext_tiled} for one query row and head. */
    private static void tiledRow(
            ModelConfig c, AttentionBuffers io, int qo, int kvOff, int slots, Visible vis, float scale) {
        float[] q = io.q(), kc = io.keys(), vc = io.values(), out = io.out();
        int hd = c.headDim(), kvDim = c.kvDim();
        float[] acc = new float[hd], kq = new float[TILE];
        float m = Float.NEGATIVE_INFINITY, sum = 0;
        for (int k0 = 0; k0 < slots; k0 += TILE) {
            int kv = Math.min(TILE, slots - k0);
            boolean any = false;
            Arrays.fill(kq, Float.NEGATIVE_INFINITY);
            for (int tk = 0; tk < kv; tk++) {
                if (!vis.contains(k0 + tk)) continue;
                int ko = (k0 + tk) * kvDim + kvOff;
                float dot = 0;
                for (int d = 0; d < hd; d++) dot = Math.fma(q[qo + d], kc[ko + d], dot);
                kq[tk] = dot * scale;
                any = true;
            }
            // a tile no key of which this row sees changes nothing (skipped or zeroed in llama.cpp)
            if (!any) continue;
            float tileMax = Float.NEGATIVE_INFINITY;
            for (float v : kq) tileMax = Math.max(tileMax, v);
            float mNew = Math.max(m, tileMax);
            if (mNew > m) {
                float ms = GgmlFloatOps.expf(m - mNew);
                for (int d = 0; d < hd; d++) acc[d] *= ms;
                sum *= ms;
            }
            m = mNew;
            double tileSum = 0;
            for (int tk = 0; tk < TILE; tk++) kq[tk] = GgmlFloatOps.vexpf(kq[tk] - mNew);
            for (int l = 0; l < TILE; l += F32_LANES) tileSum += GgmlFloatOps.sum8(kq, l);
            sum = (float) (sum + tileSum);
            // masked slots weigh exactly 0 and leave the fused sums as they are
            for (int d = 0; d < hd; d++) {
                float a = acc[d];
                for (int tk = 0; tk < kv; tk++) {
                    if (kq[tk] != 0) a = Math.fma(kq[tk], vc[(k0 + tk) * kvDim + kvOff + d], a);
                }
                acc[d] = a;
            }
        }
        float inv = sum == 0 ? 0 : 1f / sum;
        for (int d = 0; d < hd; d++) out[qo + d] = acc[d] * inv;
    }

    /** {@code ggml_compute_forward_flash_attn_ext_f16_one_chunk} with an F16 cache, for one query row and head. */
    private static void oneQueryRow(
            ModelConfig c, AttentionBuffers io, int qo, int kvOff, int slots, Visible vis, float scale) {
        float[] q = io.q(), kc = io.keys(), vc = io.values(), out = io.out();
        int hd = c.headDim(), kvDim = c.kvDim();
        float[] q16 = new float[hd], acc = new float[hd];
        for (int d = 0; d < hd; d++) q16[d] = GgmlFloatOps.f16(q[qo + d]);
        float m = Float.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < slots; j++) {
            if (!vis.contains(j)) continue;
            int o = j * kvDim + kvOff;
            float s = GgmlFloatOps.dotF16(kc, o, q16, 0, hd) * scale;
            float ms = 1f, vs = 1f;
            if (s > m) {
                float old = m;
                m = s;
                ms = GgmlFloatOps.expf(old - m);
                for (int d = 0; d < hd; d++) acc[d] = GgmlFloatOps.f16(acc[d] * ms);
            } else {
                vs = GgmlFloatOps.expf(s - m);
            }
            for (int d = 0; d < hd; d++) acc[d] = GgmlFloatOps.f16(Math.fma(vc[o + d], vs, acc[d]));
            // S = S*ms + vs, contracted to one fused multiply-add by GCC (-std=gnu++17 allows it)
            sum = Math.fma(sum, ms, vs);
        }
        float inv = sum == 0 ? 0 : 1f / sum;
        for (int d = 0; d < hd; d++) out[qo + d] = acc[d] * inv;
    }
}
