package dev.llmcw.tensor;

import static dev.llmcw.tensor.KernelSpecies.B128;
import static dev.llmcw.tensor.KernelSpecies.F;
import static dev.llmcw.tensor.KernelSpecies.L;
import static dev.llmcw.tensor.KernelSpecies.LE;
import static dev.llmcw.tensor.KernelSpecies.PARTS;
import static dev.llmcw.tensor.KernelSpecies.sum;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * SIMD kernels over llama.cpp's block types (Q4_1, Q5_0, Q5_1, Q2_K … Q6_K, IQ4_NL). A block's codes are
 * unpacked 16 at a time into byte lanes, then turned into floats as {@code mul·code − sub} with the block's
 * scalar factors: the same roundings as {@link GgmlDequant} (no FMA), so the values are bit-identical to
 * llama.cpp's. A dot product decodes one block at a time into a scratch of at most 256 floats (1 KB, stays
 * in L1; the tensor is never densified) and accumulates it against x exactly as {@link F32Kernels#dot}
 * does (two accumulators, alternate vectors): a row of whole blocks gives the same bits as the float32
 * dot product of its dequantised values.
 */
final class GgmlBlockKernels {
    private GgmlBlockKernels() {}

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[DType.QK_K]);
    private static final ByteVector IQ4_NL_TABLE = ByteVector.fromArray(B128, GgmlDequant.IQ4_NL_VALUES, 0);
    /** Lane j holds bit j % 8: the Q5 high bits of 16 values come from 2 bytes of qh spread over 8 lanes each. */
    private static final ByteVector BIT_OF_LANE =
            ByteVector.fromArray(B128, new byte[] {1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128}, 0);

    private static final VectorShuffle<Byte> QH_LOW =
            VectorShuffle.fromValues(B128, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    private static final VectorShuffle<Byte> QH_HIGH =
            VectorShuffle.fromValues(B128, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);

    /** Sum over the full blocks [firstBlock, firstBlock+blocks) of the values times x (x aligned to the first block). */
    static float dotBlocks(DType type, MemorySegment w, long firstBlock, int blocks, float[] x, int xOff) {
        float[] s = SCRATCH.get();
        int bs = type.blockSize();
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            decode(type, w, (firstBlock + b) * type.blockBytes(), s, 0);
            int xi = xOff + b * bs;
            for (int i = 0; i < bs; i += 2 * L) {
                a0 = FloatVector.fromArray(F, s, i).fma(FloatVector.fromArray(F, x, xi + i), a0);
                a1 = FloatVector.fromArray(F, s, i + L).fma(FloatVector.fromArray(F, x, xi + i + L), a1);
            }
        }
        return sum(a0.add(a1));
    }

    static void toFloatBlocks(DType type, MemorySegment w, long firstBlock, int blocks, float[] dst, int dstOff) {
        for (int b = 0; b < blocks; b++) {
            decode(type, w, (firstBlock + b) * type.blockBytes(), dst, dstOff + b * type.blockSize());
        }
    }

    /** The values of the block at byte {@code base}, vectorised; bit-identical to {@link GgmlDequant#block}. */
    static void decode(DType type, MemorySegment w, long base, float[] y, int o) {
        switch (type) {
            case Q4_1 -> q4_1(w, base, y, o);
            case Q5_0 -> q5(w, base, false, y, o);
            case Q5_1 -> q5(w, base, true, y, o);
            case Q2_K -> q2K(w, base, y, o);
            case Q3_K -> q3K(w, base, y, o);
            case Q4_K -> q4K(w, base, y, o);
            case Q5_K -> q5K(w, base, y, o);
            case Q6_K -> q6K(w, base, y, o);
            case IQ4_NL -> iq4nl(w, base, y, o);
            default -> throw new IllegalArgumentException(type + " is not one of the llama.cpp block types");
        }
    }

    /** y[o..o+16) = mul·code − sub for 16 small integer codes (x − s is x + (−s) in IEEE, so "+ m" is "− (−m)"). */
    private static void emit16(ByteVector codes, float mul, float sub, float[] y, int o) {
        FloatVector m = FloatVector.broadcast(F, mul), s = FloatVector.broadcast(F, sub);
        for (int p = 0; p < PARTS; p++) {
            FloatVector c = (FloatVector) codes.convertShape(VectorOperators.B2F, F, p);
            m.mul(c).sub(s).intoArray(y, o + p * L);
        }
    }

    private static ByteVector load16(MemorySegment w, long at) {
        return ByteVector.fromMemorySegment(B128, w, at, LE);
    }

    private static ByteVector lowNibbles(ByteVector q) {
        return q.and((byte) 0x0F);
    }

    private static ByteVector highNibbles(ByteVector q) {
        return q.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F);
    }

    private static void q4_1(MemorySegment w, long base, float[] y, int o) {
        float d = GgmlDequant.half(w, base), m = GgmlDequant.half(w, base + 2);
        ByteVector q = load16(w, base + 4);
        emit16(lowNibbles(q), d, -m, y, o);
        emit16(highNibbles(q), d, -m, y, o + 16);
    }

    /** 16 in the lanes whose bit of the two qh bytes the shuffle picks is set, else 0. */
    private static ByteVector fifthBits(ByteVector qh, VectorShuffle<Byte> bytes) {
        VectorMask<Byte> set = qh.rearrange(bytes).and(BIT_OF_LANE).compare(VectorOperators.NE, (byte) 0);
        return ByteVector.zero(B128).blend((byte) 16, set);
    }

    private static void q5(MemorySegment w, long base, boolean withMin, float[] y, int o) {
        float d = GgmlDequant.half(w, base);
        float sub = withMin ? -GgmlDequant.half(w, base + 2) : 0f;
        long qhAt = base + (withMin ? 4 : 2);
        ByteVector qh = load16(w, qhAt); // only the first 4 lanes are qh; the rest (the codes) is never picked
        ByteVector q = load16(w, qhAt + 4);
        ByteVector lo = lowNibbles(q).or(fifthBits(qh, QH_LOW));
        ByteVector hi = highNibbles(q).or(fifthBits(qh, QH_HIGH));
        if (!withMin) {
            lo = lo.sub((byte) 16);
            hi = hi.sub((byte) 16);
        }
        emit16(lo, d, sub, y, o);
        emit16(hi, d, sub, y, o + 16);
    }

    private static void q2K(MemorySegment w, long base, float[] y, int o) {
        float d = GgmlDequant.half(w, base + 80), min = GgmlDequant.half(w, base + 82);
        int is = 0;
        for (int n = 0; n < 2; n++) {
            ByteVector q0 = load16(w, base + 16 + 32 * n), q1 = load16(w, base + 32 + 32 * n);
            for (int shift = 0; shift < 8; shift += 2) {
                int sc = GgmlDequant.u8(w, base + is++);
                emit16(q0.lanewise(VectorOperators.LSHR, shift).and((byte) 3), d * (sc & 0xF), min * (sc >>> 4), y, o);
                sc = GgmlDequant.u8(w, base + is++);
                emit16(
                        q1.lanewise(VectorOperators.LSHR, shift).and((byte) 3),
                        d * (sc & 0xF),
                        min * (sc >>> 4),
                        y,
                        o + 16);
                o += 32;
            }
        }
    }

    private static void q3K(MemorySegment w, long base, float[] y, int o) {
        float dAll = GgmlDequant.half(w, base + 108);
        ByteVector hm0 = load16(w, base), hm1 = load16(w, base + 16);
        int is = 0, m = 1;
        for (int n = 0; n < 2; n++) {
            ByteVector q0 = load16(w, base + 32 + 32 * n), q1 = load16(w, base + 48 + 32 * n);
            for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
                emit16(q3Codes(q0, hm0, shift, m), dAll * GgmlDequant.q3KScale(w, base, is++), 0f, y, o);
                emit16(q3Codes(q1, hm1, shift, m), dAll * GgmlDequant.q3KScale(w, base, is++), 0f, y, o + 16);
                o += 32;
            }
        }
    }

    /** ((q >> shift) & 3) − (hm & m ? 0 : 4). */
    private static ByteVector q3Codes(ByteVector q, ByteVector hm, int shift, int m) {
        VectorMask<Byte> clear = hm.and((byte) m).compare(VectorOperators.EQ, (byte) 0);
        return q.lanewise(VectorOperators.LSHR, shift).and((byte) 3).lanewise(VectorOperators.SUB, (byte) 4, clear);
    }

    private static void q4K(MemorySegment w, long base, float[] y, int o) {
        float d = GgmlDequant.half(w, base), min = GgmlDequant.half(w, base + 2);
        long s = base + 4;
        for (int is = 0; is < 8; is += 2) {
            long q = base + 16 + 16L * is;
            float d1 = d * GgmlDequant.scaleK4(w, s, is), m1 = min * GgmlDequant.minK4(w, s, is);
            float d2 = d * GgmlDequant.scaleK4(w, s, is + 1), m2 = min * GgmlDequant.minK4(w, s, is + 1);
            ByteVector q0 = load16(w, q), q1 = load16(w, q + 16);
            emit16(lowNibbles(q0), d1, m1, y, o);
            emit16(lowNibbles(q1), d1, m1, y, o + 16);
            emit16(highNibbles(q0), d2, m2, y, o + 32);
            emit16(highNibbles(q1), d2, m2, y, o + 48);
            o += 64;
        }
    }

    private static void q5K(MemorySegment w, long base, float[] y, int o) {
        float d = GgmlDequant.half(w, base), min = GgmlDequant.half(w, base + 2);
        long s = base + 4;
        ByteVector qh0 = load16(w, base + 16), qh1 = load16(w, base + 32);
        int u1 = 1, u2 = 2;
        for (int is = 0; is < 8; is += 2, u1 <<= 2, u2 <<= 2) {
            long q = base + 48 + 16L * is;
            float d1 = d * GgmlDequant.scaleK4(w, s, is), m1 = min * GgmlDequant.minK4(w, s, is);
            float d2 = d * GgmlDequant.scaleK4(w, s, is + 1), m2 = min * GgmlDequant.minK4(w, s, is + 1);
            ByteVector q0 = load16(w, q), q1 = load16(w, q + 16);
            emit16(lowNibbles(q0).add(highBit(qh0, u1)), d1, m1, y, o);
            emit16(lowNibbles(q1).add(highBit(qh1, u1)), d1, m1, y, o + 16);
            emit16(highNibbles(q0).add(highBit(qh0, u2)), d2, m2, y, o + 32);
            emit16(highNibbles(q1).add(highBit(qh1, u2)), d2, m2, y, o + 48);
            o += 64;
        }
    }

    /** 16 where qh & u is set, else 0. */
    private static ByteVector highBit(ByteVector qh, int u) {
        return ByteVector.zero(B128).blend((byte) 16, qh.and((byte) u).compare(VectorOperators.NE, (byte) 0));
    }

    private static void q6K(MemorySegment w, long base, float[] y, int o) {
        float d = GgmlDequant.half(w, base + 208);
        for (int n = 0; n < 2; n++) {
            long ql = base + 64 * n, qh = base + 128 + 32 * n, sc = base + 192 + 8 * n;
            for (int c = 0; c < 2; c++) { // l in [16c, 16c + 16), scale index is = c
                ByteVector lo = load16(w, ql + 16 * c), lo32 = load16(w, ql + 32 + 16 * c), h = load16(w, qh + 16 * c);
                int yo = o + 128 * n + 16 * c;
                emit16(q6Codes(lowNibbles(lo), h, 0), d * scale(w, sc, c), 0f, y, yo);
                emit16(q6Codes(lowNibbles(lo32), h, 2), d * scale(w, sc, c + 2), 0f, y, yo + 32);
                emit16(q6Codes(highNibbles(lo), h, 4), d * scale(w, sc, c + 4), 0f, y, yo + 64);
                emit16(q6Codes(highNibbles(lo32), h, 6), d * scale(w, sc, c + 6), 0f, y, yo + 96);
            }
        }
    }

    /** (low4 | ((h >> shift) & 3) << 4) − 32. */
    private static ByteVector q6Codes(ByteVector low4, ByteVector h, int shift) {
        ByteVector high2 = h.lanewise(VectorOperators.LSHR, shift).and((byte) 3).lanewise(VectorOperators.LSHL, 4);
        return low4.or(high2).sub((byte) 32);
    }

    private static int scale(MemorySegment w, long at, int i) {
        return w.get(ValueLayout.JAVA_BYTE, at + i);
    }

    private static void iq4nl(MemorySegment w, long base, float[] y, int o) {
        float d = GgmlDequant.half(w, base);
        ByteVector q = load16(w, base + 2);
        emit16(lowNibbles(q).selectFrom(IQ4_NL_TABLE), d, 0f, y, o);
        emit16(highNibbles(q).selectFrom(IQ4_NL_TABLE), d, 0f, y, o + 16);
    }
}
