package dev.llmcw.tensor;

import static dev.llmcw.tensor.GgmlDequant.half;
import static dev.llmcw.tensor.KernelSpecies.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The integer sums of {@link KQuantDotKernels}' Q4_K, Q5_K and Q6_K dots in vector lanes. The reference sums
 * a super-block's products into eight ints, aux32[l] collecting the elements e ≡ l (mod 8); here the products
 * are formed in 16-bit lanes and added into four int accumulators whose every lane holds one such residue
 * (see the kernels), and the lanes of one residue are added once per super-block. Integer sums are exact in
 * any order, so aux32 is the reference's, and the float operations per super-block run on those eight ints
 * one by one as in the scalar twin: the results are bit-identical to it at every vector width. The species
 * are 256 bits whatever {@link KernelSpecies#F} is (at other widths the Vector API still computes the same
 * values, only slower).
 */
final class KQuantVectorDots {
    private KQuantVectorDots() {}

    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;

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
        return q45K(w, firstBlock, blocks, a, t, false);
    }

    /** Q5_K: Q4_K's kernel with each code's fifth bit (qh, 32 bytes per super-block) or-ed in as 16. */
    static float q5K(MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t) {
        return q45K(w, firstBlock, blocks, a, t, true);
    }

    private static float q45K(MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t, boolean five) {
        DType type = five ? DType.Q5_K : DType.Q4_K;
        short[] xs = a.evenOdd;
        float[] sums = new float[8];
        int[] lanes = new int[32];
        int[] scMin = new int[16];
        float sumf = 0f;
        for (int i = 0; i < blocks; i++) {
            long base = (firstBlock + i) * type.blockBytes(), qs = base + (five ? 48 : 16);
            int x0 = t * a.n() + i * 256, sb = x0 / Q8KActivations.SUB;
            scalesAndMinsK4(w, base + 4, scMin);
            int sumi = 0;
            for (int j = 0; j < 16; j++) sumi += a.bsums[sb + j] * scMin[8 + j / 2];
            // Q5_K's high bits: byte l of qh holds bit 2j (low nibbles of pair j) and bit 2j + 1 (high nibbles)
            ShortVector qh = five
                    ? ByteVector.fromMemorySegment(B32, w, base + 16, LE).reinterpretAsShorts()
                    : ShortVector.zero(S16);
            IntVector r04 = IntVector.zero(I8), r26 = r04, r15 = r04, r37 = r04;
            for (int j = 0; j < 4; j++) {
                int scLo = scMin[2 * j], scHi = scMin[2 * j + 1];
                ShortVector v =
                        ByteVector.fromMemorySegment(B32, w, qs + 32 * j, LE).reinterpretAsShorts();
                ShortVector ce = v.lanewise(VectorOperators.AND, (short) 0x0F);
                ShortVector co = v.lanewise(VectorOperators.LSHR, 8).lanewise(VectorOperators.AND, (short) 0x0F);
                ShortVector de = v.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.AND, (short) 0x0F);
                ShortVector dd = v.lanewise(VectorOperators.LSHR, 12);
                if (five) { // bit 2j of the even byte to bit 4, of the odd byte (bit 8 + 2j) to bit 4; 2j + 1 alike
                    ShortVector h = qh.lanewise(VectorOperators.LSHR, 2 * j);
                    ce = ce.or(h.lanewise(VectorOperators.LSHL, 4).lanewise(VectorOperators.AND, (short) 0x10));
                    co = co.or(h.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.AND, (short) 0x10));
                    de = de.or(h.lanewise(VectorOperators.LSHL, 3).lanewise(VectorOperators.AND, (short) 0x10));
                    dd = dd.or(h.lanewise(VectorOperators.LSHR, 5).lanewise(VectorOperators.AND, (short) 0x10));
                }
                int e = x0 + 64 * j;
                IntVector pe = ce.mul(ShortVector.fromArray(S16, xs, e)).reinterpretAsInts();
                IntVector po = co.mul(ShortVector.fromArray(S16, xs, e + 16)).reinterpretAsInts();
                IntVector he = de.mul(ShortVector.fromArray(S16, xs, e + 32)).reinterpretAsInts();
                IntVector ho = dd.mul(ShortVector.fromArray(S16, xs, e + 48)).reinterpretAsInts();
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
     * + 4 for odd k. Shared by the Q3_K, Q4_K and Q6_K vector dots, which lay their accumulators out alike.
     */
    static int residueSum(int[] lanes, int l) {
        int at = 8 * (l & 3), odd = l >>> 2;
        return lanes[at + odd] + lanes[at + odd + 2] + lanes[at + odd + 4] + lanes[at + odd + 6];
    }

    // Lane k of the scale vector of code group c: the group's scale of elements 0..15 for k < 4, of 16..31 after.
    private static final VectorShuffle<Integer> SCALES_0 = VectorShuffle.fromValues(I8, 0, 0, 0, 0, 1, 1, 1, 1);
    private static final VectorShuffle<Integer> SCALES_1 = VectorShuffle.fromValues(I8, 2, 2, 2, 2, 3, 3, 3, 3);
    private static final VectorShuffle<Integer> SCALES_2 = VectorShuffle.fromValues(I8, 4, 4, 4, 4, 5, 5, 5, 5);
    private static final VectorShuffle<Integer> SCALES_3 = VectorShuffle.fromValues(I8, 6, 6, 6, 6, 7, 7, 7, 7);

    /*
     * Q6_K in shorts, as Q4_K: per half super-block (128 values) the 32 low-nibble bytes ql[0..31], ql[32..63]
     * and the 32 high-bit bytes qh are loaded once each as 16 shorts; masks and shifts give the four code groups
     * (elements l, l + 32, l + 64, l + 96 of the half) for the even and the odd bytes l, minus 32; each product
     * with the even/odd activations fits a short (32·127), and the int view splits it into the same four residue
     * accumulators. A group's scale changes after 16 values, i.e. after int lane 3: the eight signed scales of
     * the half, widened once, are spread by one lane shuffle per group.
     */
    static float q6K(MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t) {
        short[] xs = a.evenOdd;
        float[] sums = new float[8];
        int[] lanes = new int[32];
        for (int i = 0; i < blocks; i++) {
            long base = (firstBlock + i) * DType.Q6_K.blockBytes();
            int x0 = t * a.n() + i * 256;
            IntVector r04 = IntVector.zero(I8), r26 = r04, r15 = r04, r37 = r04;
            for (int n = 0; n < 2; n++) {
                long ql = base + 64 * n, qh = base + 128 + 32 * n, sc = base + 192 + 8 * n;
                ShortVector lo = ByteVector.fromMemorySegment(B32, w, ql, LE).reinterpretAsShorts();
                ShortVector lo32 =
                        ByteVector.fromMemorySegment(B32, w, ql + 32, LE).reinterpretAsShorts();
                ShortVector h = ByteVector.fromMemorySegment(B32, w, qh, LE).reinterpretAsShorts();
                IntVector scales = (IntVector)
                        ByteVector.fromMemorySegment(B8, w, sc, LE).convertShape(VectorOperators.B2I, I8, 0);
                int e = x0 + 128 * n;
                for (int g = 0; g < 4; g++) {
                    ShortVector q = g % 2 == 0 ? lo : lo32; // groups 0, 2: ql[l]; 1, 3: ql[l + 32]
                    ShortVector even = g < 2
                            ? q.lanewise(VectorOperators.AND, (short) 0x0F)
                            : q.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.AND, (short) 0x0F);
                    ShortVector odd = g < 2
                            ? q.lanewise(VectorOperators.LSHR, 8).lanewise(VectorOperators.AND, (short) 0x0F)
                            : q.lanewise(VectorOperators.LSHR, 12);
                    // bits 2g, 2g + 1 of each qh byte to bits 4, 5
                    ShortVector hiEven = h.lanewise(VectorOperators.LSHL, 4)
                            .lanewise(VectorOperators.LSHR, 2 * g)
                            .lanewise(VectorOperators.AND, (short) 0x30);
                    ShortVector hiOdd =
                            h.lanewise(VectorOperators.LSHR, 4 + 2 * g).lanewise(VectorOperators.AND, (short) 0x30);
                    int xo = e + 32 * g;
                    IntVector pe = even.or(hiEven)
                            .sub((short) 32)
                            .mul(ShortVector.fromArray(S16, xs, xo))
                            .reinterpretAsInts();
                    IntVector po = odd.or(hiOdd)
                            .sub((short) 32)
                            .mul(ShortVector.fromArray(S16, xs, xo + 16))
                            .reinterpretAsInts();
                    IntVector s =
                            scales.rearrange(g == 0 ? SCALES_0 : g == 1 ? SCALES_1 : g == 2 ? SCALES_2 : SCALES_3);
                    r04 = r04.add(pe.lanewise(VectorOperators.LSHL, 16)
                            .lanewise(VectorOperators.ASHR, 16)
                            .mul(s));
                    r26 = r26.add(pe.lanewise(VectorOperators.ASHR, 16).mul(s));
                    r15 = r15.add(po.lanewise(VectorOperators.LSHL, 16)
                            .lanewise(VectorOperators.ASHR, 16)
                            .mul(s));
                    r37 = r37.add(po.lanewise(VectorOperators.ASHR, 16).mul(s));
                }
            }
            r04.intoArray(lanes, 0);
            r15.intoArray(lanes, 8);
            r26.intoArray(lanes, 16);
            r37.intoArray(lanes, 24);
            float d = half(w, base + 208) * a.d[x0 / 256];
            for (int l = 0; l < 8; l++) sums[l] += d * residueSum(lanes, l);
        }
        return KQuantDotKernels.laneTotal(0f, sums);
    }
}
