package dev.llmcw.tensor;

import static dev.llmcw.tensor.GgmlDequant.half;
import static dev.llmcw.tensor.GgmlDequant.minK4;
import static dev.llmcw.tensor.GgmlDequant.q3KScale;
import static dev.llmcw.tensor.GgmlDequant.scaleK4;
import static dev.llmcw.tensor.GgmlDequant.u8;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Integer dot products of K-quant rows (Q2_K … Q6_K) with {@link Q8KActivations}, as llama.cpp's
 * {@code ggml_vec_dot_q*_K_q8_K_generic} (ggml/src/ggml-cpu/quants.c) computes them: per super-block of 256
 * the same exact integer sums (codes × activation codes × 6/4-bit sub-block scales, the mins through the
 * activations' {@code bsums}), then the same float operations in the same order as that C code compiled by
 * the pinned llama.cpp build (GCC, {@code -march=native}: it fuses some multiply-adds, so do we, with
 * {@link Math#fma} exactly where its object code has a {@code vfmadd}/{@code vfnmadd}/{@code vfmsub}):
 * <ul>
 *   <li>Q2_K: {@code sumf += fma(isum, dall, −(summs·dmin))};</li>
 *   <li>Q3_K, Q6_K: eight float lanes {@code sums[l] += d·aux32[l]} (product rounded), then
 *       {@code 0 + sums[0] + … + sums[7]};</li>
 *   <li>Q4_K, Q5_K: {@code sums[l] = fma(d, aux32[l], sums[l])}, {@code sumf = fma(−dmin, sumi, sumf)}, then
 *       {@code sumf + sums[0] + … + sums[7]}.</li>
 * </ul>
 * Lane l of aux32 holds the products of the elements e ≡ l (mod 8) of the super-block. Each row's result is
 * bit-identical to the reference C (KQuantDotGoldenTest); llama-perplexity itself runs the AVX2 kernels,
 * which sum the same integers but add the floats in another order (a few ulps apart on one row).
 */
final class KQuantDotKernels {
    private KQuantDotKernels() {}

    /**
     * Σ over super-blocks [firstBlock, firstBlock + blocks) of the row times row t of a (from its first block).
     * Every type sums its integers in vector lanes ({@link Q2KVectorDot}, {@link Q3KVectorDot},
     * {@link KQuantVectorDots}) and gives the bits of {@link #dotScalar}.
     */
    static float dot(DType type, MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t) {
        return switch (type) {
            case Q2_K -> Q2KVectorDot.dot(w, firstBlock, blocks, a, t);
            case Q3_K -> Q3KVectorDot.dot(w, firstBlock, blocks, a, t);
            case Q4_K -> KQuantVectorDots.q4K(w, firstBlock, blocks, a, t);
            case Q5_K -> KQuantVectorDots.q5K(w, firstBlock, blocks, a, t);
            case Q6_K -> KQuantVectorDots.q6K(w, firstBlock, blocks, a, t);
            default -> dotScalar(type, w, firstBlock, blocks, a, t);
        };
    }

    /** The scalar twin: the reference C's loops one value at a time. */
    static float dotScalar(DType type, MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t) {
        return switch (type) {
            case Q2_K -> q2K(w, firstBlock, blocks, a, t);
            case Q3_K -> q3K(w, firstBlock, blocks, a, t);
            case Q4_K -> q45K(w, firstBlock, blocks, a, t, false);
            case Q5_K -> q45K(w, firstBlock, blocks, a, t, true);
            case Q6_K -> q6K(w, firstBlock, blocks, a, t);
            default -> throw new IllegalArgumentException(type + " has no Q8_K dot product");
        };
    }

    /** Whether {@link #dot} handles the type. */
    static boolean handles(DType type) {
        return switch (type) {
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    private static float q2K(MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t) {
        byte[] q8 = a.q;
        float sumf = 0f;
        for (int i = 0; i < blocks; i++) {
            long base = (firstBlock + i) * DType.Q2_K.blockBytes();
            int x0 = t * a.n() + i * 256, sb = x0 / Q8KActivations.SUB;
            int summs = 0;
            for (int j = 0; j < 16; j++) summs += a.bsums[sb + j] * (u8(w, base + j) >>> 4);
            float dy = a.d[x0 / 256];
            float dall = dy * half(w, base + 80), dmin = dy * half(w, base + 82);
            int isum = 0, is = 0, xo = x0;
            for (int k = 0; k < 2; k++) {
                long q2 = base + 16 + 32 * k;
                for (int shift = 0; shift < 8; shift += 2, xo += 32) {
                    for (int h = 0; h < 2; h++) {
                        int d = u8(w, base + is++) & 0xF, isuml = 0;
                        for (int l = 16 * h; l < 16 * h + 16; l++)
                            isuml += q8[xo + l] * ((u8(w, q2 + l) >>> shift) & 3);
                        isum += d * isuml;
                    }
                }
            }
            sumf += Math.fma((float) isum, dall, -((float) summs * dmin));
        }
        return sumf;
    }

    private static float q3K(MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t) {
        byte[] q8 = a.q;
        float[] sums = new float[8];
        int[] aux32 = new int[8];
        byte[] codes = new byte[256];
        for (int i = 0; i < blocks; i++) {
            long base = (firstBlock + i) * DType.Q3_K.blockBytes();
            int x0 = t * a.n() + i * 256;
            int m = 1, c = 0;
            for (int k = 0; k < 2; k++) {
                long q3 = base + 32 + 32 * k;
                for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
                    for (int l = 0; l < 32; l++) {
                        int v = (u8(w, q3 + l) >>> shift) & 3;
                        codes[c++] = (byte) (v - ((u8(w, base + l) & m) != 0 ? 0 : 4));
                    }
                }
            }
            Arrays.fill(aux32, 0);
            for (int j = 0; j < 16; j++) {
                int scale = q3KScale(w, base, j);
                for (int e = 16 * j; e < 16 * j + 16; e++) aux32[e & 7] += scale * (q8[x0 + e] * codes[e]);
            }
            float d = half(w, base + 108) * a.d[x0 / 256];
            for (int l = 0; l < 8; l++) sums[l] += d * aux32[l];
        }
        return laneTotal(0f, sums);
    }

    private static float q45K(MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t, boolean five) {
        byte[] q8 = a.q;
        DType type = five ? DType.Q5_K : DType.Q4_K;
        float[] sums = new float[8];
        int[] aux32 = new int[8];
        float sumf = 0f;
        for (int i = 0; i < blocks; i++) {
            long base = (firstBlock + i) * type.blockBytes(), s = base + 4;
            long qs = base + (five ? 48 : 16), qh = base + 16;
            int x0 = t * a.n() + i * 256, sb = x0 / Q8KActivations.SUB;
            int sumi = 0;
            for (int j = 0; j < 16; j++) sumi += a.bsums[sb + j] * minK4(w, s, j / 2);
            Arrays.fill(aux32, 0);
            for (int j = 0; j < 4; j++) { // 64 values: low nibbles (sub-block 2j), then high nibbles (2j + 1)
                int scLo = scaleK4(w, s, 2 * j), scHi = scaleK4(w, s, 2 * j + 1);
                int mLo = 1 << (2 * j), mHi = 2 << (2 * j);
                for (int l = 0; l < 32; l++) {
                    int q = u8(w, qs + 32 * j + l);
                    int lo = q & 0xF, hi = q >>> 4;
                    if (five) {
                        int h = u8(w, qh + l);
                        if ((h & mLo) != 0) lo += 16;
                        if ((h & mHi) != 0) hi += 16;
                    }
                    int e = 64 * j + l;
                    aux32[e & 7] += scLo * (q8[x0 + e] * lo);
                    aux32[(e + 32) & 7] += scHi * (q8[x0 + e + 32] * hi);
                }
            }
            float dy = a.d[x0 / 256];
            float d = half(w, base) * dy;
            for (int l = 0; l < 8; l++) sums[l] = Math.fma(d, (float) aux32[l], sums[l]);
            float dmin = half(w, base + 2) * dy;
            sumf = Math.fma(-dmin, (float) sumi, sumf);
        }
        return laneTotal(sumf, sums);
    }

    private static float q6K(MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t) {
        byte[] q8 = a.q;
        float[] sums = new float[8];
        int[] aux32 = new int[8];
        for (int i = 0; i < blocks; i++) {
            long base = (firstBlock + i) * DType.Q6_K.blockBytes();
            int x0 = t * a.n() + i * 256;
            Arrays.fill(aux32, 0);
            for (int n = 0; n < 2; n++) {
                long ql = base + 64 * n, qh = base + 128 + 32 * n, sc = base + 192 + 8 * n;
                int e0 = 128 * n;
                for (int l = 0; l < 32; l++) {
                    int lo = u8(w, ql + l), lo32 = u8(w, ql + l + 32), h = u8(w, qh + l);
                    int is = l / 16;
                    int c1 = ((lo & 0xF) | ((h & 3) << 4)) - 32;
                    int c2 = ((lo32 & 0xF) | (((h >>> 2) & 3) << 4)) - 32;
                    int c3 = ((lo >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                    int c4 = ((lo32 >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                    int e = e0 + l, lane = e & 7; // e, e + 32, e + 64, e + 96 share a lane
                    aux32[lane] += scale(w, sc + is) * (q8[x0 + e] * c1)
                            + scale(w, sc + is + 2) * (q8[x0 + e + 32] * c2)
                            + scale(w, sc + is + 4) * (q8[x0 + e + 64] * c3)
                            + scale(w, sc + is + 6) * (q8[x0 + e + 96] * c4);
                }
            }
            float d = half(w, base + 208) * a.d[x0 / 256];
            for (int l = 0; l < 8; l++) sums[l] += d * aux32[l];
        }
        return laneTotal(0f, sums);
    }

    private static int scale(MemorySegment w, long at) {
        return w.get(ValueLayout.JAVA_BYTE, at);
    }

    /** start + sums[0] + … + sums[7], left to right (the reference's final loop). */
    static float laneTotal(float start, float[] sums) {
        float s = start;
        for (float v : sums) s += v;
        return s;
    }
}
