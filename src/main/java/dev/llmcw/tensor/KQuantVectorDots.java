package dev.llmcw.tensor;

import static dev.llmcw.tensor.GgmlDequant.half;
import static dev.llmcw.tensor.KernelSpecies.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The integer sums of {@link KQuantDotKernels}' Q4_K and Q6_K dots in vector lanes: eight consecutive
 * values of a super-block are widened from bytes to the eight int lanes of one vector, so lane l collects
 * exactly the elements e ≡ l (mod 8), the reference's {@code aux32[l]}. Integer sums are exact in any
 * order, and the float operations per super-block run on those eight ints one by one as in the scalar twin,
 * so the results are bit-identical to it at every vector width. The int species is 256 bits whatever
 * {@link KernelSpecies#F} is (the eight lanes are the reference's).
 */
final class KQuantVectorDots {
    private KQuantVectorDots() {}

    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;

    /** Eight unsigned bytes at w[at] in int lanes. */
    private static IntVector u8x8(MemorySegment w, long at) {
        return ((IntVector) ByteVector.fromMemorySegment(B8, w, at, LE).convertShape(VectorOperators.B2I, I8, 0))
                .and(0xFF);
    }

    /** Eight signed activation codes at q8[at] in int lanes. */
    private static IntVector s8x8(byte[] q8, int at) {
        return (IntVector) ByteVector.fromArray(B8, q8, at).convertShape(VectorOperators.B2I, I8, 0);
    }

    private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;

    /*
     * Q4_K in shorts. The 32 bytes of a pair of sub-blocks are loaded at once and seen as 16 shorts: short m
     * holds bytes 2m and 2m + 1, so masks and shifts give the low nibbles of the even and of the odd bytes
     * (sub-block 2j, elements 2m and 2m + 1) and their high nibbles (sub-block 2j + 1), each in its own short
     * vector; the activation codes are laid out even/odd to match (Q8KActivations.evenOdd). A product fits a
     * short (15·127); the int view of a product vector then splits it into its even shorts ((v << 16) >> 16:
     * elements 4k, or 4k + 1 for the odd bytes) and its odd shorts (v >> 16: 4k + 2, 4k + 3), which are
     * multiplied by the sub-block scale in ints. So each of the four int accumulators holds, in lane k, one
     * residue of the element mod 8 (r, or r + 4 for odd k): the reference's aux32 lanes, added together once per
     * super-block. No widening conversion and no 8-byte loads: the earlier kernel widened 8 bytes at a time to
     * ints and multiplied in ints.
     */
    static float q4K(MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t) {
        short[] xs = a.evenOdd;
        float[] sums = new float[8];
        int[] lanes = new int[32];
        int[] scMin = new int[16];
        float sumf = 0f;
        for (int i = 0; i < blocks; i++) {
            long base = (firstBlock + i) * DType.Q4_K.blockBytes(), qs = base + 16;
            int x0 = t * a.n() + i * 256, sb = x0 / Q8KActivations.SUB;
            scalesAndMinsK4(w, base + 4, scMin);
            int sumi = 0;
            for (int j = 0; j < 16; j++) sumi += a.bsums[sb + j] * scMin[8 + j / 2];
            IntVector r04 = IntVector.zero(I8), r26 = r04, r15 = r04, r37 = r04;
            for (int j = 0; j < 4; j++) {
                int scLo = scMin[2 * j], scHi = scMin[2 * j + 1];
                ShortVector v =
                        ByteVector.fromMemorySegment(B32, w, qs + 32 * j, LE).reinterpretAsShorts();
                int e = x0 + 64 * j;
                IntVector pe = v.lanewise(VectorOperators.AND, (short) 0x0F)
                        .mul(ShortVector.fromArray(S16, xs, e))
                        .reinterpretAsInts();
                IntVector po = v.lanewise(VectorOperators.LSHR, 8)
                        .lanewise(VectorOperators.AND, (short) 0x0F)
                        .mul(ShortVector.fromArray(S16, xs, e + 16))
                        .reinterpretAsInts();
                IntVector he = v.lanewise(VectorOperators.LSHR, 4)
                        .lanewise(VectorOperators.AND, (short) 0x0F)
                        .mul(ShortVector.fromArray(S16, xs, e + 32))
                        .reinterpretAsInts();
                IntVector ho = v.lanewise(VectorOperators.LSHR, 12)
                        .mul(ShortVector.fromArray(S16, xs, e + 48))
                        .reinterpretAsInts();
                r04 = r04.add(pe.lanewise(VectorOperators.LSHL, 16)
                                .lanewise(VectorOperators.ASHR, 16)
                                .mul(scLo))
                        .add(he.lanewise(VectorOperators.LSHL, 16)
                                .lanewise(VectorOperators.ASHR, 16)
                                .mul(scHi));
                r26 = r26.add(pe.lanewise(VectorOperators.ASHR, 16).mul(scLo))
                        .add(he.lanewise(VectorOperators.ASHR, 16).mul(scHi));
                r15 = r15.add(po.lanewise(VectorOperators.LSHL, 16)
                                .lanewise(VectorOperators.ASHR, 16)
                                .mul(scLo))
                        .add(ho.lanewise(VectorOperators.LSHL, 16)
                                .lanewise(VectorOperators.ASHR, 16)
                                .mul(scHi));
                r37 = r37.add(po.lanewise(VectorOperators.ASHR, 16).mul(scLo))
                        .add(ho.lanewise(VectorOperators.ASHR, 16).mul(scHi));
            }
            r04.intoArray(lanes, 0);
            r15.intoArray(lanes, 8);
            r26.intoArray(lanes, 16);
            r37.intoArray(lanes, 24);
            float dy = a.d[x0 / 256];
            float d = half(w, base) * dy;
            for (int l = 0; l < 8; l++) sums[l] = Math.fma(d, (float) residueSum(lanes, l), sums[l]);
            float dmin = half(w, base + 2) * dy;
            sumf = Math.fma(-dmin, (float) sumi, sumf);
        }
        return KQuantDotKernels.laneTotal(sumf, sums);
    }

    /**
     * The eight 6-bit scales (out[0..7]) and mins (out[8..15]) of a Q4_K/Q5_K super-block, as
     * {@link GgmlDequant#scaleK4}/{@link GgmlDequant#minK4} give them, from two reads of the 12 packed bytes
     * instead of two or three byte reads per value.
     */
    static void scalesAndMinsK4(MemorySegment w, long s, int[] out) {
        long lo = w.get(U64LE, s); // bytes 0..7
        int hi = w.get(U32LE, s + 8); // bytes 8..11
        for (int j = 0; j < 4; j++) {
            out[j] = (int) (lo >>> (8 * j)) & 63;
            out[8 + j] = (int) (lo >>> (8 * (j + 4))) & 63;
            int b = (hi >>> (8 * j)) & 0xFF; // byte j + 8
            out[4 + j] = (b & 0xF) | ((((int) (lo >>> (8 * j)) & 0xFF) >>> 6) << 4);
            out[12 + j] = (b >>> 4) | ((((int) (lo >>> (8 * (j + 4))) & 0xFF) >>> 6) << 4);
        }
    }

    private static final ValueLayout.OfLong U64LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt U32LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    /**
     * The reference's aux32[l] from the four accumulators stored one after the other in {@code lanes} (residues
     * 0/4, 1/5, 2/6, 3/7 in that order): lane k of accumulator l mod 4 holds residue l mod 4 for even k, l mod 4
     * + 4 for odd k.
     */
    private static int residueSum(int[] lanes, int l) {
        int at = 8 * (l & 3), odd = l >>> 2;
        return lanes[at + odd] + lanes[at + odd + 2] + lanes[at + odd + 4] + lanes[at + odd + 6];
    }

    static float q6K(MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t) {
        byte[] q8 = a.q;
        float[] sums = new float[8];
        int[] aux32 = new int[8];
        for (int i = 0; i < blocks; i++) {
            long base = (firstBlock + i) * DType.Q6_K.blockBytes();
            int x0 = t * a.n() + i * 256;
            IntVector acc = IntVector.zero(I8);
            for (int n = 0; n < 2; n++) {
                long ql = base + 64 * n, qh = base + 128 + 32 * n, sc = base + 192 + 8 * n;
                for (int l = 0; l < 32; l += 8) {
                    int is = l / 16;
                    IntVector lo = u8x8(w, ql + l), lo32 = u8x8(w, ql + l + 32), h = u8x8(w, qh + l);
                    IntVector c1 = lo.and(0xF)
                            .or(h.and(3).lanewise(VectorOperators.LSHL, 4))
                            .sub(32);
                    IntVector c2 = lo32.and(0xF)
                            .or(h.lanewise(VectorOperators.LSHR, 2).and(3).lanewise(VectorOperators.LSHL, 4))
                            .sub(32);
                    IntVector c3 = lo.lanewise(VectorOperators.LSHR, 4)
                            .or(h.lanewise(VectorOperators.LSHR, 4).and(3).lanewise(VectorOperators.LSHL, 4))
                            .sub(32);
                    IntVector c4 = lo32.lanewise(VectorOperators.LSHR, 4)
                            .or(h.lanewise(VectorOperators.LSHR, 6).and(3).lanewise(VectorOperators.LSHL, 4))
                            .sub(32);
                    int e = x0 + 128 * n + l;
                    acc = acc.add(c1.mul(s8x8(q8, e)).mul(scale(w, sc + is)))
                            .add(c2.mul(s8x8(q8, e + 32)).mul(scale(w, sc + is + 2)))
                            .add(c3.mul(s8x8(q8, e + 64)).mul(scale(w, sc + is + 4)))
                            .add(c4.mul(s8x8(q8, e + 96)).mul(scale(w, sc + is + 6)));
                }
            }
            acc.intoArray(aux32, 0);
            float d = half(w, base + 208) * a.d[x0 / 256];
            for (int l = 0; l < 8; l++) sums[l] += d * aux32[l];
        }
        return KQuantDotKernels.laneTotal(0f, sums);
    }

    private static int scale(MemorySegment w, long at) {
        return w.get(ValueLayout.JAVA_BYTE, at);
    }
}
