package dev.llmcw.model.gguf;

import static dev.llmcw.model.gguf.KQuantSearch.GROUP_MAX_EPS;
import static dev.llmcw.model.gguf.KQuantSearch.makeQ3Quants;
import static dev.llmcw.model.gguf.KQuantSearch.makeQkxQuants;
import static dev.llmcw.model.gguf.KQuantSearch.makeQpQuants;
import static dev.llmcw.model.gguf.KQuantSearch.makeQxQuants;
import static dev.llmcw.model.gguf.KQuantSearch.nearestInt;
import static dev.llmcw.model.gguf.KQuantSearch.sqrtf;

import dev.llmcw.model.gguf.KQuantSearch.KxSearch;
import dev.llmcw.tensor.Half;
import java.util.Arrays;

/**
 * llama.cpp's K-quant quantizers for one 256-value super-block: quantize_row_qN_K_ref without importance
 * weights and quantize_row_qN_K_impl with them (what llama-quantize runs with an imatrix), in the same float
 * operations, so the blocks are byte-identical to ggml-quants.c's. {@code qw} holds the importance weights
 * of these 256 columns, or null.
 */
final class KQuantizers {
    static final int QK_K = 256;

    private KQuantizers() {}

    /** Q2_K, 84 bytes: scales[16] (4-bit scale | 4-bit min), qs[64] (2-bit), d, dmin (fp16). */
    static void q2K(float[] x, int xo, float[] qw, int qo, byte[] y, int yo) {
        int[] L = new int[QK_K];
        float[] mins = new float[16], scales = new float[16];
        int[] sc = new int[16];
        float dm, mm;
        if (qw == null) {
            float[] weights = new float[16];
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < 16; ++j) {
                for (int l = 0; l < 16; ++l) weights[l] = Math.abs(x[xo + 16 * j + l]);
                scales[j] = makeQkxQuants(x, xo + 16 * j, weights, L, 16 * j, mins, j, KxSearch.Q2_K_REF);
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }
            float q4scale = 15.f;
            if (maxScale > 0) {
                float iscale = q4scale / maxScale;
                for (int j = 0; j < 16; ++j) sc[j] = nearestInt(iscale * scales[j]) & 0xFF;
                dm = fp16(y, yo + 80, maxScale / q4scale);
            } else {
                dm = fp16(y, yo + 80, 0f);
            }
            if (maxMin > 0) {
                float iscale = q4scale / maxMin;
                for (int j = 0; j < 16; ++j) sc[j] = (sc[j] | (nearestInt(iscale * mins[j]) << 4)) & 0xFF;
                mm = fp16(y, yo + 82, maxMin / q4scale);
            } else {
                mm = fp16(y, yo + 82, 0f);
            }
        } else {
            float[] weight = new float[16], sw = new float[16];
            float sumx2 = 0;
            for (int j = 0; j < QK_K; ++j) sumx2 += x[xo + j] * x[xo + j];
            float sigma2 = sumx2 / QK_K;
            for (int j = 0; j < 16; ++j) {
                for (int l = 0; l < 16; ++l) {
                    float v = x[xo + 16 * j + l];
                    weight[l] = qw[qo + 16 * j + l] * sqrtf(sigma2 + v * v);
                }
                for (int l = 0; l < 16; ++l) sw[j] += weight[l];
                scales[j] = makeQkxQuants(x, xo + 16 * j, weight, L, 16 * j, mins, j, KxSearch.imatrix(16, 3));
            }
            int[] ls = new int[16], lm = new int[16];
            dm = fp16(y, yo + 80, makeQpQuants(16, 15, scales, ls, sw));
            mm = fp16(y, yo + 82, makeQpQuants(16, 15, mins, lm, sw));
            for (int j = 0; j < 16; ++j) sc[j] = (ls[j] | (lm[j] << 4)) & 0xFF;
        }
        for (int j = 0; j < 16; ++j) {
            y[yo + j] = (byte) sc[j];
            float d = dm * (sc[j] & 0xF);
            if (d == 0) continue;
            float m = mm * (sc[j] >> 4);
            for (int ii = 0; ii < 16; ++ii) {
                int l = nearestInt((x[xo + 16 * j + ii] + m) / d);
                L[16 * j + ii] = Math.max(0, Math.min(3, l));
            }
        }
        pack2Bits(L, y, yo + 16);
    }

    /** Q3_K, 110 bytes: hmask[32] (third bit), qs[64] (low 2 bits), scales[12] (6-bit, signed), d. */
    static void q3K(float[] x, int xo, float[] qw, int qo, byte[] y, int yo) {
        int[] L = new int[QK_K];
        float[] scales = new float[16];
        int[] ls = new int[16];
        float d;
        boolean packScales = true;
        if (qw == null) {
            float maxScale = 0, amax = 0;
            for (int j = 0; j < 16; ++j) {
                scales[j] = makeQ3Quants(16, 4, x, xo + 16 * j, L, 16 * j);
                float scale = Math.abs(scales[j]);
                if (scale > amax) {
                    amax = scale;
                    maxScale = scales[j];
                }
            }
            if (maxScale != 0) {
                float iscale = -32.f / maxScale;
                for (int j = 0; j < 16; ++j) {
                    byte l = (byte) nearestInt(iscale * scales[j]);
                    ls[j] = Math.max(-32, Math.min(31, l)) + 32;
                }
                d = 1 / iscale;
            } else {
                d = 0f;
                packScales = false;
            }
        } else {
            float[] weight = new float[16], sw = new float[16];
            float sumx2 = 0;
            for (int j = 0; j < QK_K; ++j) sumx2 += x[xo + j] * x[xo + j];
            float sigma2 = 2 * sumx2 / QK_K;
            for (int j = 0; j < 16; ++j) {
                for (int l = 0; l < 16; ++l) {
                    float v = x[xo + 16 * j + l];
                    weight[l] = qw[qo + 16 * j + l] * sqrtf(sigma2 + v * v);
                }
                float sumw = 0;
                for (int l = 0; l < 16; ++l) sumw += weight[l];
                sw[j] = sumw;
                scales[j] = makeQxQuants(16, 4, x, xo + 16 * j, L, 16 * j, 1, weight);
            }
            d = makeQxQuants(16, 32, scales, 0, ls, 0, 1, sw);
        }
        byte[] packed = new byte[12];
        if (packScales) {
            for (int j = 0; j < 16; ++j) {
                int l = ls[j];
                if (j < 8) packed[j] = (byte) (l & 0xF);
                else packed[j - 8] |= (byte) ((l & 0xF) << 4);
                l >>= 4;
                packed[j % 4 + 8] |= (byte) (l << (2 * (j / 4)));
            }
        }
        System.arraycopy(packed, 0, y, yo + 96, 12);
        float dh = fp16(y, yo + 108, d);
        for (int j = 0; j < 16; ++j) {
            int s = j < 8 ? packed[j] & 0xF : (packed[j - 8] & 0xFF) >> 4;
            s = (byte) ((s | (((packed[8 + j % 4] & 0xFF) >> (2 * (j / 4))) & 3) << 4) - 32);
            float dl = dh * s;
            if (dl == 0) continue;
            for (int ii = 0; ii < 16; ++ii) {
                int l = nearestInt(x[xo + 16 * j + ii] / dl);
                L[16 * j + ii] = Math.max(-4, Math.min(3, l)) + 4;
            }
        }
        // the high bit of the first 32 levels goes to bit 0 of hmask[0..31], of the next 32 to bit 1, ...
        for (int j = 0; j < 32; ++j) y[yo + j] = 0;
        for (int j = 0; j < QK_K; ++j) {
            if (L[j] > 3) {
                y[yo + j % 32] |= (byte) (1 << (j / 32));
                L[j] -= 4;
            }
        }
        pack2Bits(L, y, yo + 32);
    }

    /** Q4_K, 144 bytes: d, dmin, scales[12] (6-bit scales and mins), qs[128] (4-bit). */
    static void q4K(float[] x, int xo, float[] qw, int qo, byte[] y, int yo) {
        int[] L = new int[QK_K];
        float[] dmin = scalesAndMins(x, xo, qw, qo, L, y, yo, KxSearch.Q4_K_REF);
        requantizeAsym(x, xo, y, yo, dmin, 15, L);
        for (int j = 0; j < QK_K; j += 64) {
            for (int l = 0; l < 32; ++l) y[yo + 16 + j / 2 + l] = (byte) (L[j + l] | (L[j + l + 32] << 4));
        }
    }

    /** Q5_K, 176 bytes: d, dmin, scales[12], qh[32] (fifth bit), qs[128] (low 4 bits). */
    static void q5K(float[] x, int xo, float[] qw, int qo, byte[] y, int yo) {
        int[] L = new int[QK_K];
        float[] dmin = scalesAndMins(x, xo, qw, qo, L, y, yo, KxSearch.Q5_K_REF);
        requantizeAsym(x, xo, y, yo, dmin, 31, L);
        int qh = yo + 16, ql = yo + 48;
        for (int j = 0; j < 32; ++j) y[qh + j] = 0;
        int m1 = 1, m2 = 2;
        for (int n = 0; n < QK_K; n += 64) {
            for (int j = 0; j < 32; ++j) {
                int l1 = L[n + j];
                if (l1 > 15) {
                    l1 -= 16;
                    y[qh + j] |= (byte) m1;
                }
                int l2 = L[n + j + 32];
                if (l2 > 15) {
                    l2 -= 16;
                    y[qh + j] |= (byte) m2;
                }
                y[ql + j] = (byte) (l1 | (l2 << 4));
            }
            m1 <<= 2;
            m2 <<= 2;
            ql += 32;
        }
    }

    /**
     * The eight 32-value sub-blocks of Q4_K/Q5_K: levels with a scale and a min each, the scales and mins
     * quantized to 6 bits against the super-block's d and dmin (written at y[0..15]). Returns {d, dmin} as
     * read back from fp16.
     */
    private static float[] scalesAndMins(
            float[] x, int xo, float[] qw, int qo, int[] L, byte[] y, int yo, KxSearch refSearch) {
        int nmax = refSearch.nmax();
        float[] mins = new float[8], scales = new float[8], weights = new float[32];
        int[] ls = new int[8], lm = new int[8];
        float d, dmin;
        if (qw == null) {
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < 8; ++j) {
                float sumX2 = 0;
                for (int l = 0; l < 32; ++l) sumX2 += x[xo + 32 * j + l] * x[xo + 32 * j + l];
                float avX = sqrtf(sumX2 / 32);
                for (int l = 0; l < 32; ++l) weights[l] = avX + Math.abs(x[xo + 32 * j + l]);
                scales[j] = makeQkxQuants(x, xo + 32 * j, weights, L, 32 * j, mins, j, refSearch);
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }
            float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
            float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
            for (int j = 0; j < 8; ++j) {
                ls[j] = Math.min(63, nearestInt(invScale * scales[j]) & 0xFF);
                lm[j] = Math.min(63, nearestInt(invMin * mins[j]) & 0xFF);
            }
            d = maxScale / 63.f;
            dmin = maxMin / 63.f;
        } else {
            float[] sw = new float[8];
            float sumX2 = 0;
            for (int l = 0; l < QK_K; ++l) sumX2 += x[xo + l] * x[xo + l];
            float sigma2 = 2 * sumX2 / QK_K;
            for (int j = 0; j < 8; ++j) {
                for (int l = 0; l < 32; ++l) {
                    float v = x[xo + 32 * j + l];
                    weights[l] = qw[qo + 32 * j + l] * sqrtf(sigma2 + v * v);
                }
                float sumw = 0;
                for (int l = 0; l < 32; ++l) sumw += weights[l];
                sw[j] = sumw;
                scales[j] = makeQkxQuants(x, xo + 32 * j, weights, L, 32 * j, mins, j, KxSearch.imatrix(32, nmax));
            }
            d = makeQpQuants(8, 63, scales, ls, sw);
            dmin = makeQpQuants(8, 63, mins, lm, sw);
            for (int j = 0; j < 8; ++j) {
                ls[j] = Math.min(63, ls[j]);
                lm[j] = Math.min(63, lm[j]);
            }
        }
        for (int j = 0; j < 8; ++j) {
            if (j < 4) {
                y[yo + 4 + j] = (byte) ls[j];
                y[yo + 4 + j + 4] = (byte) lm[j];
            } else {
                y[yo + 4 + j + 4] = (byte) ((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
                y[yo + 4 + j - 4] |= (byte) ((ls[j] >> 4) << 6);
                y[yo + 4 + j] |= (byte) ((lm[j] >> 4) << 6);
            }
        }
        return new float[] {fp16(y, yo, d), fp16(y, yo + 2, dmin)};
    }

    /** Final levels of Q4_K/Q5_K from the stored 6-bit scales and mins (get_scale_min_k4). */
    private static void requantizeAsym(float[] x, int xo, byte[] y, int yo, float[] dmin, int nmax, int[] L) {
        int s = yo + 4;
        for (int j = 0; j < 8; ++j) {
            int sc, m;
            if (j < 4) {
                sc = y[s + j] & 63;
                m = y[s + j + 4] & 63;
            } else {
                sc = (y[s + j + 4] & 0xF) | (((y[s + j - 4] & 0xFF) >> 6) << 4);
                m = ((y[s + j + 4] & 0xFF) >> 4) | (((y[s + j] & 0xFF) >> 6) << 4);
            }
            float d = dmin[0] * sc;
            if (d == 0) continue;
            float dm = dmin[1] * m;
            for (int ii = 0; ii < 32; ++ii) {
                int l = nearestInt((x[xo + 32 * j + ii] + dm) / d);
                L[32 * j + ii] = Math.max(0, Math.min(nmax, l));
            }
        }
    }

    /** Q6_K, 210 bytes: ql[128] (low 4 bits), qh[64] (high 2 bits), scales[16] (int8), d. */
    static void q6K(float[] x, int xo, float[] qw, int qo, byte[] y, int yo) {
        int[] L = new int[QK_K];
        float[] scales = new float[16];
        float maxScale = 0, maxAbsScale = 0;
        for (int ib = 0; ib < 16; ++ib) {
            float[] w = qw == null ? null : Arrays.copyOfRange(qw, qo + 16 * ib, qo + 16 * ib + 16);
            float scale = makeQxQuants(16, 32, x, xo + 16 * ib, L, 16 * ib, 1, w);
            scales[ib] = scale;
            float absScale = Math.abs(scale);
            if (absScale > maxAbsScale) {
                maxAbsScale = absScale;
                maxScale = scale;
            }
        }
        if (maxAbsScale < GROUP_MAX_EPS) {
            for (int k = 0; k < 210; k++) y[yo + k] = 0;
            fp16(y, yo + 208, 0f);
            return;
        }
        float iscale = -128.f / maxScale;
        float d = fp16(y, yo + 208, 1 / iscale);
        for (int ib = 0; ib < 16; ++ib) y[yo + 192 + ib] = (byte) Math.min(127, nearestInt(iscale * scales[ib]));
        for (int j = 0; j < 16; ++j) {
            float dl = d * y[yo + 192 + j];
            if (dl == 0) continue;
            for (int ii = 0; ii < 16; ++ii) {
                int l = nearestInt(x[xo + 16 * j + ii] / dl);
                L[16 * j + ii] = Math.max(-32, Math.min(31, l)) + 32;
            }
        }
        int ql = yo, qh = yo + 128;
        for (int j = 0; j < QK_K; j += 128) {
            for (int l = 0; l < 32; ++l) {
                int q1 = L[j + l] & 0xF, q2 = L[j + l + 32] & 0xF, q3 = L[j + l + 64] & 0xF, q4 = L[j + l + 96] & 0xF;
                y[ql + l] = (byte) (q1 | (q3 << 4));
                y[ql + l + 32] = (byte) (q2 | (q4 << 4));
                y[qh + l] = (byte) ((L[j + l] >> 4)
                        | ((L[j + l + 32] >> 4) << 2)
                        | ((L[j + l + 64] >> 4) << 4)
                        | ((L[j + l + 96] >> 4) << 6));
            }
            ql += 64;
            qh += 32;
        }
    }

    /** Four 2-bit levels per byte: byte l of each 32-byte group holds levels l, l+32, l+64, l+96 of 128. */
    private static void pack2Bits(int[] L, byte[] y, int qs) {
        for (int j = 0; j < QK_K; j += 128) {
            for (int l = 0; l < 32; ++l) {
                y[qs + j / 4 + l] =
                        (byte) (L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
            }
        }
    }

    /** Stores v as fp16 (round to nearest even, as GGML_FP32_TO_FP16) and returns the value read back. */
    static float fp16(byte[] y, int o, float v) {
        short h = Half.floatToF16(v);
        y[o] = (byte) h;
        y[o + 1] = (byte) (h >> 8);
        return Half.f16ToFloat(h);
    }
}
