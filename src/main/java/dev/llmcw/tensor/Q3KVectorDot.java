package dev.llmcw.tensor;

import static dev.llmcw.tensor.GgmlDequant.half;
import static dev.llmcw.tensor.GgmlDequant.q3KScale;
import static dev.llmcw.tensor.KernelSpecies.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The integer sums of {@link KQuantDotKernels}' Q3_K dot in vector lanes. The reference sums a super-block's
 * products into eight ints, aux32[l] collecting the elements e ≡ l (mod 8), and then adds d·aux32[l] to eight
 * float lanes. Here, per run of 32 elements (one shift of one 32-byte half of the 2-bit codes), the code bytes
 * and the high-bit mask bytes are loaded once per half and seen as 16 shorts (short m: bytes 2m, 2m + 1), the
 * 3-bit codes of the even and of the odd bytes are formed in separate short vectors (low 2 bits | high-mask bit
 * · 4, minus 4), multiplied with the activation codes laid out even/odd to match
 * ({@link Q8KActivations#evenOdd}) and by the lane's signed 6-bit scale (|4·127·32| fits a short). The int
 * view of a product vector splits into its low shorts (elements 4k, or 4k + 1 for the odd bytes) and high
 * shorts (4k + 2, 4k + 3), so four int accumulators each hold two residues mod 8 (r and r + 4 in even and odd
 * lanes), as in {@link KQuantVectorDots}. Integer sums are exact in any order, so aux32 is the reference's and
 * the float steps run on it as in the scalar twin: bit-identical to it. 256-bit species whatever
 * {@link KernelSpecies#F} is.
 */
final class Q3KVectorDot {
    private Q3KVectorDot() {}

    private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
    /** Short lanes 8..15: the elements 16..31 of a run of 32, the second sub-block's scale. */
    private static final VectorMask<Short> SECOND_HALF = VectorMask.fromLong(S16, 0xFF00L);

    static float dot(MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t) {
        short[] xs = a.evenOdd;
        float[] sums = new float[8];
        int[] lanes = new int[32];
        for (int i = 0; i < blocks; i++) {
            long base = (firstBlock + i) * DType.Q3_K.blockBytes();
            int x0 = t * a.n() + i * 256;
            ShortVector hm = ByteVector.fromMemorySegment(B32, w, base, LE).reinterpretAsShorts();
            IntVector r04 = IntVector.zero(I8), r26 = r04, r15 = r04, r37 = r04;
            for (int k = 0; k < 2; k++) {
                ShortVector v = ByteVector.fromMemorySegment(B32, w, base + 32 + 32 * k, LE)
                        .reinterpretAsShorts();
                for (int s = 0; s < 4; s++) {
                    int j = 8 * k + 2 * s, bit = 4 * k + s, xo = x0 + 128 * k + 32 * s;
                    ShortVector scale = ShortVector.broadcast(S16, (short) q3KScale(w, base, j))
                            .blend((short) q3KScale(w, base, j + 1), SECOND_HALF);
                    // hmask bit `bit` of the even byte (bit `bit` of the short) and of the odd one (bit 8 + bit) to bit
                    // 2
                    ShortVector even = v.lanewise(VectorOperators.LSHR, 2 * s)
                            .lanewise(VectorOperators.AND, (short) 3)
                            .or(hm.lanewise(VectorOperators.LSHL, 2)
                                    .lanewise(VectorOperators.LSHR, bit)
                                    .lanewise(VectorOperators.AND, (short) 4))
                            .sub((short) 4);
                    ShortVector odd = v.lanewise(VectorOperators.LSHR, 8 + 2 * s)
                            .lanewise(VectorOperators.AND, (short) 3)
                            .or(hm.lanewise(VectorOperators.LSHR, 6 + bit).lanewise(VectorOperators.AND, (short) 4))
                            .sub((short) 4);
                    IntVector pe = even.mul(ShortVector.fromArray(S16, xs, xo))
                            .mul(scale)
                            .reinterpretAsInts();
                    IntVector po = odd.mul(ShortVector.fromArray(S16, xs, xo + 16))
                            .mul(scale)
                            .reinterpretAsInts();
                    r04 = r04.add(pe.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
                    r26 = r26.add(pe.lanewise(VectorOperators.ASHR, 16));
                    r15 = r15.add(po.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
                    r37 = r37.add(po.lanewise(VectorOperators.ASHR, 16));
                }
            }
            r04.intoArray(lanes, 0);
            r15.intoArray(lanes, 8);
            r26.intoArray(lanes, 16);
            r37.intoArray(lanes, 24);
            float d = half(w, base + 108) * a.d[x0 / 256];
            for (int l = 0; l < 8; l++) sums[l] += d * KQuantVectorDots.residueSum(lanes, l);
        }
        return KQuantDotKernels.laneTotal(0f, sums);
    }
}
