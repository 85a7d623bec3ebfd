package dev.llmcw.tensor;

import static dev.llmcw.tensor.GgmlDequant.half;
import static dev.llmcw.tensor.GgmlDequant.minK4;
import static dev.llmcw.tensor.GgmlDequant.scaleK4;
import static dev.llmcw.tensor.KernelSpecies.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
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

    static float q4K(MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t) {
        byte[] q8 = a.q;
        float[] sums = new float[8];
        int[] aux32 = new int[8];
        float sumf = 0f;
        for (int i = 0; i < blocks; i++) {
            long base = (firstBlock + i) * DType.Q4_K.blockBytes(), s = base + 4, qs = base + 16;
            int x0 = t * a.n() + i * 256, sb = x0 / Q8KActivations.SUB;
            int sumi = 0;
            for (int j = 0; j < 16; j++) sumi += a.bsums[sb + j] * minK4(w, s, j / 2);
            IntVector acc = IntVector.zero(I8);
            for (int j = 0; j < 4; j++) {
                int scLo = scaleK4(w, s, 2 * j), scHi = scaleK4(w, s, 2 * j + 1);
                IntVector lo = IntVector.zero(I8), hi = lo;
                for (int c = 0; c < 32; c += 8) {
                    IntVector q = u8x8(w, qs + 32 * j + c);
                    int e = x0 + 64 * j + c;
                    lo = lo.add(q.and(0xF).mul(s8x8(q8, e)));
                    hi = hi.add(q.lanewise(VectorOperators.LSHR, 4).mul(s8x8(q8, e + 32)));
                }
                acc = acc.add(lo.mul(scLo)).add(hi.mul(scHi));
            }
            acc.intoArray(aux32, 0);
            float dy = a.d[x0 / 256];
            float d = half(w, base) * dy;
            for (int l = 0; l < 8; l++) sums[l] = Math.fma(d, (float) aux32[l], sums[l]);
            float dmin = half(w, base + 2) * dy;
            sumf = Math.fma(-dmin, (float) sumi, sumf);
        }
        return KQuantDotKernels.laneTotal(sumf, sums);
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
