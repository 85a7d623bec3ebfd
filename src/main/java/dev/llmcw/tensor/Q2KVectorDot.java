package dev.llmcw.tensor;

import static dev.llmcw.tensor.GgmlDequant.half;
import static dev.llmcw.tensor.GgmlDequant.u8;
import static dev.llmcw.tensor.KernelSpecies.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The integer sum of {@link KQuantDotKernels}' Q2_K dot in vector lanes. Q2_K's reference keeps a single int
 * per super-block (isum = Σ 4-bit scale · Σ code·q8), so the lanes may be added in any order: each 32-byte
 * half of the 2-bit codes is loaded once and seen as 16 shorts (short m holds bytes 2m and 2m + 1), the codes
 * of one shift of the even and of the odd bytes are masked out, multiplied with the activation codes laid out
 * even/odd to match ({@link Q8KActivations#evenOdd}) and added in the short lane (elements 2m and 2m + 1 share
 * a sub-block of 16, so one scale), then multiplied by that lane's scale (≤ 2·3·127·15, fits a short) and the
 * shorts of an int lane added into one int accumulator, reduced once per super-block. The mins' term (16
 * products with the activations' bsums) and the float step are the scalar twin's, so the result is
 * bit-identical to it. 256-bit species whatever {@link KernelSpecies#F} is.
 */
final class Q2KVectorDot {
    private Q2KVectorDot() {}

    private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    /** Short lanes 8..15: the elements 16..31 of a run of 32, the second sub-block's scale. */
    private static final VectorMask<Short> SECOND_HALF = VectorMask.fromLong(S16, 0xFF00L);

    static float dot(MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t) {
        short[] xs = a.evenOdd;
        float sumf = 0f;
        for (int i = 0; i < blocks; i++) {
            long base = (firstBlock + i) * DType.Q2_K.blockBytes();
            int x0 = t * a.n() + i * 256, sb = x0 / Q8KActivations.SUB;
            int summs = 0;
            for (int j = 0; j < 16; j++) summs += a.bsums[sb + j] * (u8(w, base + j) >>> 4);
            IntVector acc = IntVector.zero(IntVector.SPECIES_256);
            for (int k = 0; k < 2; k++) {
                ShortVector v = ByteVector.fromMemorySegment(B32, w, base + 16 + 32 * k, LE)
                        .reinterpretAsShorts();
                for (int s = 0; s < 4; s++) {
                    int is = 8 * k + 2 * s, xo = x0 + 128 * k + 32 * s;
                    ShortVector scale = ShortVector.broadcast(S16, (short) (u8(w, base + is) & 0xF))
                            .blend((short) (u8(w, base + is + 1) & 0xF), SECOND_HALF);
                    ShortVector even = v.lanewise(VectorOperators.LSHR, 2 * s).lanewise(VectorOperators.AND, (short) 3);
                    ShortVector odd =
                            v.lanewise(VectorOperators.LSHR, 8 + 2 * s).lanewise(VectorOperators.AND, (short) 3);
                    IntVector p = even.mul(ShortVector.fromArray(S16, xs, xo))
                            .add(odd.mul(ShortVector.fromArray(S16, xs, xo + 16)))
                            .mul(scale)
                            .reinterpretAsInts();
                    acc = acc.add(p.lanewise(VectorOperators.ASHR, 16))
                            .add(p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
                }
            }
            int isum = acc.reduceLanes(VectorOperators.ADD);
            float dy = a.d[x0 / 256];
            float dall = dy * half(w, base + 80), dmin = dy * half(w, base + 82);
            sumf += Math.fma((float) isum, dall, -((float) summs * dmin));
        }
        return sumf;
    }
}
