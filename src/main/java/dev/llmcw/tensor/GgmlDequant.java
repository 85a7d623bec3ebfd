package dev.llmcw.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * llama.cpp's reference dequantisation ({@code dequantize_row_*} in ggml/src/ggml-quants.c) of one block of
 * the types Q4_1, Q5_0, Q5_1, Q2_K … Q6_K and IQ4_NL, operation for operation in float arithmetic: ggml-base
 * is built for baseline x86-64 (no FMA contraction), so every product and difference is rounded as here and
 * the values are bit-identical to llama.cpp's (checked against its output in GgmlDequantGoldenTest). This is
 * the scalar twin of {@link GgmlBlockKernels}; the block layouts are documented on {@link DType}.
 */
public final class GgmlDequant {
    private GgmlDequant() {}

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** IQ4_NL's non-linear code book (kvalues_iq4nl in ggml-common.h). */
    static final byte[] IQ4_NL_VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    /** Writes the {@code type.blockSize()} values of the block at byte {@code base} of {@code w} to {@code y[yOff..]}. */
    public static void block(DType type, MemorySegment w, long base, float[] y, int yOff) {
        switch (type) {
            case Q4_1 -> q4_1(w, base, y, yOff);
            case Q5_0 -> q5(w, base, false, y, yOff);
            case Q5_1 -> q5(w, base, true, y, yOff);
            case Q2_K -> q2K(w, base, y, yOff);
            case Q3_K -> q3K(w, base, y, yOff);
            case Q4_K -> q4K(w, base, y, yOff);
            case Q5_K -> q5K(w, base, y, yOff);
            case Q6_K -> q6K(w, base, y, yOff);
            case IQ4_NL -> iq4nl(w, base, y, yOff);
            default -> throw new IllegalArgumentException(type + " is not one of the llama.cpp block types");
        }
    }

    /** Dequantises {@code blocks} whole blocks starting at block {@code firstBlock}. */
    public static void blocks(DType type, MemorySegment w, long firstBlock, int blocks, float[] y, int yOff) {
        for (int b = 0; b < blocks; b++) {
            block(type, w, (firstBlock + b) * type.blockBytes(), y, yOff + b * type.blockSize());
        }
    }

    static float half(MemorySegment w, long at) {
        return Float.float16ToFloat(w.get(I16, at));
    }

    static int u8(MemorySegment w, long at) {
        return w.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    private static void q4_1(MemorySegment w, long base, float[] y, int o) {
        float d = half(w, base), m = half(w, base + 2);
        for (int j = 0; j < 16; j++) {
            int q = u8(w, base + 4 + j);
            y[o + j] = (q & 0x0F) * d + m;
            y[o + j + 16] = (q >>> 4) * d + m;
        }
    }

    /** Q5_0 (value (q - 16)·d) and Q5_1 (q·d + m): bit j of qh is the fifth bit of value j. */
    private static void q5(MemorySegment w, long base, boolean withMin, float[] y, int o) {
        float d = half(w, base), m = withMin ? half(w, base + 2) : 0f;
        long qhAt = base + (withMin ? 4 : 2), qsAt = qhAt + 4;
        int qh = w.get(I32, qhAt);
        for (int j = 0; j < 16; j++) {
            int q = u8(w, qsAt + j);
            int x0 = (q & 0x0F) | (((qh >>> j) << 4) & 0x10);
            int x1 = (q >>> 4) | ((qh >>> (j + 12)) & 0x10);
            if (withMin) {
                y[o + j] = x0 * d + m;
                y[o + j + 16] = x1 * d + m;
            } else {
                y[o + j] = (x0 - 16) * d;
                y[o + j + 16] = (x1 - 16) * d;
            }
        }
    }

    private static void q2K(MemorySegment w, long base, float[] y, int o) {
        float d = half(w, base + 80), min = half(w, base + 82);
        int is = 0;
        for (int n = 0; n < 256; n += 128) {
            long q = base + 16 + n / 4;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int half = 0; half < 2; half++) {
                    int sc = u8(w, base + is++);
                    float dl = d * (sc & 0xF), ml = min * (sc >>> 4);
                    for (int l = 0; l < 16; l++) y[o++] = dl * ((u8(w, q + 16 * half + l) >>> shift) & 3) - ml;
                }
            }
        }
    }

    /** Scale j of a Q3_K block, minus 32: 16 signed 6-bit scales (the aux[] shuffle of dequantize_row_q3_K). */
    static int q3KScale(MemorySegment w, long base, int j) {
        long s = base + 96;
        int low = j < 8 ? u8(w, s + j) & 0x0F : u8(w, s + j - 8) >>> 4;
        int high = (u8(w, s + 8 + (j & 3)) >>> (2 * (j >>> 2))) & 3;
        return (low | (high << 4)) - 32;
    }

    private static void q3K(MemorySegment w, long base, float[] y, int o) {
        float dAll = half(w, base + 108);
        int is = 0, m = 1;
        for (int n = 0; n < 256; n += 128) {
            long q = base + 32 + n / 4;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int half = 0; half < 2; half++) {
                    float dl = dAll * q3KScale(w, base, is++);
                    for (int l = 0; l < 16; l++) {
                        int k = 16 * half + l;
                        int hbit = (u8(w, base + k) & m) != 0 ? 0 : 4;
                        y[o++] = dl * (((u8(w, q + k) >>> shift) & 3) - hbit);
                    }
                }
                m <<= 1;
            }
        }
    }

    /** Scale (index 0) and min (index 1) number j of the 12 packed bytes at {@code s} (get_scale_min_k4). */
    static int scaleK4(MemorySegment w, long s, int j) {
        return j < 4 ? u8(w, s + j) & 63 : (u8(w, s + j + 4) & 0xF) | ((u8(w, s + j - 4) >>> 6) << 4);
    }

    static int minK4(MemorySegment w, long s, int j) {
        return j < 4 ? u8(w, s + j + 4) & 63 : (u8(w, s + j + 4) >>> 4) | ((u8(w, s + j) >>> 6) << 4);
    }

    private static void q4K(MemorySegment w, long base, float[] y, int o) {
        float d = half(w, base), min = half(w, base + 2);
        long s = base + 4, q = base + 16;
        for (int is = 0; is < 8; is += 2, q += 32) {
            float d1 = d * scaleK4(w, s, is), m1 = min * minK4(w, s, is);
            float d2 = d * scaleK4(w, s, is + 1), m2 = min * minK4(w, s, is + 1);
            for (int l = 0; l < 32; l++) y[o++] = d1 * (u8(w, q + l) & 0xF) - m1;
            for (int l = 0; l < 32; l++) y[o++] = d2 * (u8(w, q + l) >>> 4) - m2;
        }
    }

    private static void q5K(MemorySegment w, long base, float[] y, int o) {
        float d = half(w, base), min = half(w, base + 2);
        long s = base + 4, qh = base + 16, ql = base + 48;
        int u1 = 1, u2 = 2;
        for (int is = 0; is < 8; is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
            float d1 = d * scaleK4(w, s, is), m1 = min * minK4(w, s, is);
            float d2 = d * scaleK4(w, s, is + 1), m2 = min * minK4(w, s, is + 1);
            for (int l = 0; l < 32; l++)
                y[o++] = d1 * ((u8(w, ql + l) & 0xF) + ((u8(w, qh + l) & u1) != 0 ? 16 : 0)) - m1;
            for (int l = 0; l < 32; l++)
                y[o++] = d2 * ((u8(w, ql + l) >>> 4) + ((u8(w, qh + l) & u2) != 0 ? 16 : 0)) - m2;
        }
    }

    private static void q6K(MemorySegment w, long base, float[] y, int o) {
        float d = half(w, base + 208);
        for (int n = 0; n < 2; n++) {
            long ql = base + 64 * n, qh = base + 128 + 32 * n, sc = base + 192 + 8 * n;
            int yo = o + 128 * n;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int lo = u8(w, ql + l), lo32 = u8(w, ql + l + 32), h = u8(w, qh + l);
                int q1 = ((lo & 0xF) | ((h & 3) << 4)) - 32;
                int q2 = ((lo32 & 0xF) | (((h >>> 2) & 3) << 4)) - 32;
                int q3 = ((lo >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                int q4 = ((lo32 >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                y[yo + l] = d * sc(w, sc, is) * q1;
                y[yo + l + 32] = d * sc(w, sc, is + 2) * q2;
                y[yo + l + 64] = d * sc(w, sc, is + 4) * q3;
                y[yo + l + 96] = d * sc(w, sc, is + 6) * q4;
            }
        }
    }

    private static int sc(MemorySegment w, long at, int i) {
        return w.get(ValueLayout.JAVA_BYTE, at + i);
    }

    private static void iq4nl(MemorySegment w, long base, float[] y, int o) {
        float d = half(w, base);
        for (int j = 0; j < 16; j++) {
            int q = u8(w, base + 2 + j);
            y[o + j] = d * IQ4_NL_VALUES[q & 0xF];
            y[o + j + 16] = d * IQ4_NL_VALUES[q >>> 4];
        }
    }
}
