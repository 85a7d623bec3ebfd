package dev.llmcw.tensor;

import static dev.llmcw.tensor.GgmlDequant.half;
import static dev.llmcw.tensor.GgmlDequant.u8;
import static dev.llmcw.tensor.KernelSpecies.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Integer dot products of Q5_0 and Q5_1 weight rows with {@link Q8Activations}, as llama.cpp's
 * {@code ggml_vec_dot_q5_0_q8_0_generic} / {@code ggml_vec_dot_q5_1_q8_1_generic} (ggml-cpu/quants.c)
 * compute them: per block of 32 the exact integer sum of code × activation code, then one float step per
 * block into a single running sum, in the order of that C code as the pinned GCC build compiles it (its
 * object code: Q5_0 {@code sumf += (d_w·d_x)·sumi} with no fused multiply-add; Q5_1
 * {@code sumf += fma(d_w·d_x, sumi, m_w·s_x)}, s_x the activation block's d_x·Σ codes, Q8_1's {@code s}).
 * The scalar twins are those loops; the vector kernels form the same integer sums in short lanes and add
 * them exactly, so the two agree bit for bit, and both agree bit for bit with the reference C given the
 * same activations (KQuantDotGoldenTest; our activations keep their scales in F32 where llama.cpp rounds
 * them to FP16, so a decode differs from llama.cpp's by that rounding, as Q8_0 and Q4_0 do).
 *
 * <p>A block is 22 bytes (Q5_0: F16 d, 32 high bits qh, 16 bytes of nibbles) or 24 (Q5_1: d, m, qh, nibbles).
 * The 16 nibble bytes are widened to 16 shorts; the low nibbles are elements 0..15, the high ones 16..31,
 * and the fifth bit of element j is bit j of qh. Short lanes have no per-lane variable shift on AVX2, so
 * the bit is moved instead by a multiply: lane j times 2^(15−j) puts bit j of the broadcast qh half in the
 * sign bit, and an arithmetic shift by 15 spreads it over the lane (0 or −1), masked to 16.
 */
final class Q5DotKernels {
    private Q5DotKernels() {}

    static final int BLOCK = 32, Q5_0_BYTES = 22, Q5_1_BYTES = 24;

    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    private static final ValueLayout.OfInt U32LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    /** Lane j: 2^(15 − j) as a short (lane 0 is −2^15), so lane j × (bits) has bit j of bits as its sign. */
    private static final ShortVector BIT_TO_SIGN = ShortVector.fromArray(S16, bitToSign(), 0);

    private static short[] bitToSign() {
        short[] m = new short[16];
        for (int j = 0; j < 16; j++) m[j] = (short) (1 << (15 - j));
        return m;
    }

    /** Lane j: 16 where bit j of {@code bits} (16 of them) is set, else 0. */
    private static ShortVector fifthBits(int bits) {
        return ShortVector.broadcast(S16, (short) bits)
                .mul(BIT_TO_SIGN)
                .lanewise(VectorOperators.ASHR, 15)
                .lanewise(VectorOperators.AND, (short) 0x10);
    }

    /**
     * Σ over the 32 codes of the block at {@code base} (nibbles from base + qsAt, qh at base + qsAt − 4, codes
     * minus {@code bias}) times the activation shorts from xs[xo]: exact, in int lanes (each short lane holds
     * two products ≤ 2·31·127, the int view adds neighbouring lanes within 4·31·127 < 2^15).
     */
    private static int blockSum(MemorySegment w, long base, int qsAt, short bias, short[] xs, int xo) {
        int qh = w.get(U32LE, base + qsAt - 4);
        ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B16, w, base + qsAt, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
        ShortVector lo =
                q.lanewise(VectorOperators.AND, (short) 0x0F).or(fifthBits(qh)).sub(bias);
        ShortVector hi =
                q.lanewise(VectorOperators.LSHR, 4).or(fifthBits(qh >>> 16)).sub(bias);
        IntVector v = lo.mul(ShortVector.fromArray(S16, xs, xo))
                .add(hi.mul(ShortVector.fromArray(S16, xs, xo + 16)))
                .reinterpretAsInts();
        return v.add(v.lanewise(VectorOperators.LSHL, 16))
                .lanewise(VectorOperators.ASHR, 16)
                .reduceLanes(VectorOperators.ADD);
    }

    /** Σ over blocks [firstBlock, firstBlock + blocks) of the Q5_0 row times row t of a (from its first block). */
    static float dotQ5_0(MemorySegment w, long firstBlock, int blocks, Q8Activations a, int t) {
        short[] xs = a.s;
        float[] xd = a.d;
        int xBase = t * a.n(), dBase = t * (a.n() / BLOCK);
        float sumf = 0f;
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * Q5_0_BYTES;
            int sumi = blockSum(w, base, 6, (short) 16, xs, xBase + BLOCK * b);
            sumf += (half(w, base) * xd[dBase + b]) * sumi;
        }
        return sumf;
    }

    /** Σ over blocks of the Q5_1 row times row t of a; the mins through the activations' block sums. */
    static float dotQ5_1(MemorySegment w, long firstBlock, int blocks, Q8Activations a, int t) {
        short[] xs = a.s;
        float[] xd = a.d, xsum = a.blockSums();
        int xBase = t * a.n(), dBase = t * (a.n() / BLOCK);
        float sumf = 0f;
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * Q5_1_BYTES;
            int sumi = blockSum(w, base, 8, (short) 0, xs, xBase + BLOCK * b);
            sumf += Math.fma(half(w, base) * xd[dBase + b], (float) sumi, half(w, base + 2) * xsum[dBase + b]);
        }
        return sumf;
    }

    /** The scalar twin of {@link #dotQ5_0}: the reference C's loop. */
    static float dotQ5_0Scalar(MemorySegment w, long firstBlock, int blocks, Q8Activations a, int t) {
        float sumf = 0f;
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * Q5_0_BYTES;
            int qh = w.get(U32LE, base + 2);
            int sumi0 = 0, sumi1 = 0;
            for (int j = 0; j < 16; j++) {
                int q = u8(w, base + 6 + j);
                int x0 = ((q & 0x0F) | (((qh >>> j) & 1) << 4)) - 16;
                int x1 = ((q >>> 4) | (((qh >>> (j + 16)) & 1) << 4)) - 16;
                sumi0 += x0 * a.code(t, BLOCK * b + j);
                sumi1 += x1 * a.code(t, BLOCK * b + j + 16);
            }
            sumf += (half(w, base) * a.scale(t, b)) * (sumi0 + sumi1);
        }
        return sumf;
    }

    /** The scalar twin of {@link #dotQ5_1}: the reference C's loop. */
    static float dotQ5_1Scalar(MemorySegment w, long firstBlock, int blocks, Q8Activations a, int t) {
        float sumf = 0f;
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * Q5_1_BYTES;
            int qh = w.get(U32LE, base + 4);
            int sumi0 = 0, sumi1 = 0;
            for (int j = 0; j < 16; j++) {
                int q = u8(w, base + 8 + j);
                int x0 = (q & 0x0F) | (((qh >>> j) & 1) << 4);
                int x1 = (q >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
                sumi0 += x0 * a.code(t, BLOCK * b + j);
                sumi1 += x1 * a.code(t, BLOCK * b + j + 16);
            }
            sumf += Math.fma(
                    half(w, base) * a.scale(t, b), (float) (sumi0 + sumi1), half(w, base + 2) * a.blockSum(t, b));
        }
        return sumf;
    }
}
