package dev.llmcw.model.gguf;

import static dev.llmcw.model.gguf.KQuantSearch.GROUP_MAX_EPS;
import static dev.llmcw.model.gguf.KQuantSearch.makeQkxQuants;
import static dev.llmcw.model.gguf.KQuantSearch.makeQxQuants;
import static dev.llmcw.model.gguf.KQuantSearch.sqrtf;
import static dev.llmcw.model.gguf.KQuantizers.fp16;

import dev.llmcw.model.gguf.KQuantSearch.KxSearch;

/**
 * llama.cpp's quantizers for the 32-value types Q4_1, Q5_0, Q5_1, IQ4_NL (and Q4_0 with importance weights), one row at a time as
 * quantize_q4_1 etc. call them: the _ref rounding without importance weights, the _impl search with them.
 * Their importance path normalizes by the whole row's mean square (sigma2), hence rows, not blocks.
 */
final class LegacyQuantizers {
    private static final int QK = 32;
    /** kvalues_iq4nl: IQ4_NL's non-uniform 16 levels. */
    private static final int[] IQ4NL = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    private LegacyQuantizers() {}

    /** Q4_1, 20 bytes: d, m (fp16), qs[16]; x ≈ d·q + m. */
    static void q41Row(float[] x, int xo, int n, float[] qw, byte[] y, int yo) {
        if (qw == null) {
            for (int b = 0; b < n / QK; b++) {
                int base = xo + b * QK, o = yo + b * 20;
                float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
                for (int j = 0; j < QK; j++) {
                    float v = x[base + j];
                    if (v < min) min = v;
                    if (v > max) max = v;
                }
                float d = (max - min) / ((1 << 4) - 1);
                float id = d != 0 ? 1.0f / d : 0.0f;
                fp16(y, o, d);
                fp16(y, o + 2, min);
                for (int j = 0; j < QK / 2; ++j) {
                    float x0 = (x[base + j] - min) * id, x1 = (x[base + QK / 2 + j] - min) * id;
                    int q0 = Math.min(15, (byte) (int) (x0 + 0.5f)), q1 = Math.min(15, (byte) (int) (x1 + 0.5f));
                    y[o + 4 + j] = (byte) ((q0 & 0xFF) | (q1 << 4));
                }
            }
            return;
        }
        asymmetricImatrix(x, xo, n, qw, y, yo, 15);
    }

    /** Q5_1, 24 bytes: d, m, qh[4] (fifth bits), qs[16]. */
    static void q51Row(float[] x, int xo, int n, float[] qw, byte[] y, int yo) {
        if (qw == null) {
            for (int b = 0; b < n / QK; b++) {
                int base = xo + b * QK, o = yo + b * 24;
                float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
                for (int j = 0; j < QK; j++) {
                    float v = x[base + j];
                    if (v < min) min = v;
                    if (v > max) max = v;
                }
                float d = (max - min) / ((1 << 5) - 1);
                float id = d != 0 ? 1.0f / d : 0.0f;
                fp16(y, o, d);
                fp16(y, o + 2, min);
                int[] q = new int[QK];
                for (int j = 0; j < QK; ++j) q[j] = ((int) ((x[base + j] - min) * id + 0.5f)) & 0xFF;
                put5Bits(q, y, o + 4);
            }
            return;
        }
        asymmetricImatrix(x, xo, n, qw, y, yo, 31);
    }

    /** The importance path of Q4_1 (nmax 15) and Q5_1 (nmax 31): make_qkx3_quants per block. */
    private static void asymmetricImatrix(float[] x, int xo, int n, float[] qw, byte[] y, int yo, int nmax) {
        float sigma2 = rowSigma2(x, xo, n);
        int bytes = nmax == 15 ? 20 : 24;
        float[] weight = new float[QK], min = new float[1];
        int[] L = new int[QK];
        for (int ib = 0; ib < n / QK; ++ib) {
            int xb = xo + QK * ib, o = yo + ib * bytes;
            for (int j = 0; j < QK; ++j) weight[j] = qw[QK * ib + j] * sqrtf(sigma2 + x[xb + j] * x[xb + j]);
            float d = makeQkxQuants(x, xb, weight, L, 0, min, 0, KxSearch.imatrix(QK, nmax));
            fp16(y, o, d);
            fp16(y, o + 2, -min[0]);
            if (nmax == 15) {
                for (int j = 0; j < 16; ++j) y[o + 4 + j] = (byte) (L[j] | (L[j + 16] << 4));
            } else {
                put5Bits(L, y, o + 4);
            }
        }
    }

    /** Q4_0's importance path (its reference is {@link GgmlQuant#quantizeQ4_0}): make_qx_quants with nmax 8. */
    static void q40Row(float[] x, int xo, int n, float[] qw, byte[] y, int yo) {
        float sigma2 = rowSigma2(x, xo, n);
        float[] weight = new float[QK];
        int[] L = new int[QK];
        for (int ib = 0; ib < n / QK; ++ib) {
            int xb = xo + QK * ib, o = yo + ib * 18;
            for (int j = 0; j < QK; ++j) weight[j] = qw[QK * ib + j] * sqrtf(sigma2 + x[xb + j] * x[xb + j]);
            fp16(y, o, makeQxQuants(QK, 8, x, xb, L, 0, 1, weight));
            for (int j = 0; j < 16; ++j) y[o + 2 + j] = (byte) (L[j] | (L[j + 16] << 4));
        }
    }

    /** Q5_0, 22 bytes: d, qh[4], qs[16]; x ≈ d·(q - 16). */
    static void q50Row(float[] x, int xo, int n, float[] qw, byte[] y, int yo) {
        int[] q = new int[QK];
        if (qw == null) {
            for (int b = 0; b < n / QK; b++) {
                int base = xo + b * QK, o = yo + b * 22;
                float amax = 0.0f, max = 0.0f;
                for (int j = 0; j < QK; j++) {
                    float v = x[base + j];
                    if (amax < Math.abs(v)) {
                        amax = Math.abs(v);
                        max = v;
                    }
                }
                float d = max / -16;
                float id = d != 0 ? 1.0f / d : 0.0f;
                fp16(y, o, d);
                for (int j = 0; j < QK; ++j) q[j] = Math.min(31, (byte) (int) (x[base + j] * id + 16.5f)) & 0xFF;
                put5Bits(q, y, o + 2);
            }
            return;
        }
        float sigma2 = rowSigma2(x, xo, n);
        float[] weight = new float[QK];
        for (int ib = 0; ib < n / QK; ++ib) {
            int xb = xo + QK * ib, o = yo + ib * 22;
            for (int j = 0; j < QK; ++j) weight[j] = qw[QK * ib + j] * sqrtf(sigma2 + x[xb + j] * x[xb + j]);
            float d = makeQxQuants(QK, 16, x, xb, q, 0, 1, weight);
            fp16(y, o, d);
            for (int j = 0; j < QK; ++j) q[j] &= 0xFF;
            put5Bits(q, y, o + 2);
        }
    }

    /** qh (4 bytes, little-endian bit j = fifth bit of level j) followed by the 16 nibble bytes. */
    private static void put5Bits(int[] q, byte[] y, int o) {
        int qh = 0;
        for (int j = 0; j < 16; ++j) {
            y[o + 4 + j] = (byte) ((q[j] & 0x0F) | ((q[j + 16] & 0x0F) << 4));
            qh |= ((q[j] & 0x10) >> 4) << j;
            qh |= ((q[j + 16] & 0x10) >> 4) << (j + 16);
        }
        for (int k = 0; k < 4; k++) y[o + k] = (byte) (qh >>> (8 * k));
    }

    private static float rowSigma2(float[] x, int xo, int n) {
        float sumX2 = 0;
        for (int j = 0; j < n; ++j) sumX2 += x[xo + j] * x[xo + j];
        return sumX2 / n;
    }

    /**
     * IQ4_NL, 18 bytes: d, qs[16] indices into the 16 non-uniform levels. llama-quantize calls
     * quantize_iq4_nl, which searches 15 scales (ntry 7) with or without importance weights.
     */
    static void iq4nlRow(float[] x, int xo, int n, float[] qw, byte[] y, int yo) {
        float[] weight = new float[QK];
        int[] L = new int[QK];
        for (int ib = 0; ib < n / QK; ++ib) {
            iq4nlBlock(x, xo + QK * ib, qw, QK * ib, weight, L, y, yo + 18 * ib);
        }
    }

    /** quantize_row_iq4_nl_impl with super_block_size == block_size == 32 and ntry 7, as quantize_iq4_nl calls it. */
    private static void iq4nlBlock(float[] x, int xb, float[] qw, int qo, float[] weight, int[] L, byte[] y, int o) {
        final int ntry = 7;
        float sigma2 = 0;
        for (int j = 0; j < QK; ++j) sigma2 += x[xb + j] * x[xb + j];
        sigma2 *= 2.f / QK;
        for (int j = 0; j < 16; j++) y[o + 2 + j] = 0;
        fp16(y, o, 0f);
        for (int j = 0; j < QK; ++j) {
            weight[j] = qw != null ? qw[qo + j] * sqrtf(sigma2 + x[xb + j] * x[xb + j]) : x[xb + j] * x[xb + j];
        }
        float amax = 0, max = 0;
        for (int j = 0; j < QK; ++j) {
            float ax = Math.abs(x[xb + j]);
            if (ax > amax) {
                amax = ax;
                max = x[xb + j];
            }
        }
        float scale;
        if (amax < GROUP_MAX_EPS) {
            scale = 0;
        } else {
            float d = ntry > 0 ? -max / IQ4NL[0] : max / IQ4NL[0];
            float id = 1 / d;
            float sumqx = 0, sumq2 = 0;
            for (int j = 0; j < QK; ++j) {
                int l = bestIndex(id * x[xb + j]);
                L[j] = l;
                float q = IQ4NL[l], w = weight[j];
                sumqx += w * q * x[xb + j];
                sumq2 += w * q * q;
            }
            d = sumq2 > 0 ? sumqx / sumq2 : 0.f;
            float best = d * sumqx;
            for (int itry = -ntry; itry <= ntry; ++itry) {
                id = (itry + IQ4NL[0]) / max;
                sumqx = sumq2 = 0;
                for (int j = 0; j < QK; ++j) {
                    int l = bestIndex(id * x[xb + j]);
                    float q = IQ4NL[l], w = weight[j];
                    sumqx += w * q * x[xb + j];
                    sumq2 += w * q * q;
                }
                if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                    d = sumqx / sumq2;
                    best = d * sumqx;
                }
            }
            scale = d;
        }
        fp16(y, o, scale);
        if (ntry > 0) {
            float id = scale != 0 ? 1 / scale : 0;
            for (int j = 0; j < QK; ++j) L[j] = bestIndex(id * x[xb + j]);
        }
        for (int j = 0; j < 16; ++j) y[o + 2 + j] = (byte) (L[j] | (L[16 + j] << 4));
    }

    /** best_index_int8: the nearest of the 16 levels, by bisection, ties to the upper level. */
    private static int bestIndex(float v) {
        if (v <= IQ4NL[0]) return 0;
        if (v >= IQ4NL[15]) return 15;
        int ml = 0, mu = 15;
        while (mu - ml > 1) {
            int mav = (ml + mu) / 2;
            if (v < IQ4NL[mav]) mu = mav;
            else ml = mav;
        }
        return v - IQ4NL[mu - 1] < IQ4NL[mu] - v ? mu - 1 : mu;
    }
}
