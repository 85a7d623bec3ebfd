package dev.llmcw.tensor;

import static dev.llmcw.tensor.GgmlDequant.half;
import static dev.llmcw.tensor.GgmlDequant.u8;
import static dev.llmcw.tensor.KernelSpecies.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Integer dot products of IQ4_NL rows (18-byte blocks of 32: an FP16 scale, 16 bytes of 4-bit indices into
 * the fixed non-linear table {@link GgmlDequant#IQ4_NL_VALUES}) with {@link Q8Activations}, as llama.cpp's
 * {@code ggml_vec_dot_iq4_nl_q8_0_generic} (ggml-cpu/quants.c) computes them: per block the exact integer sum
 * Σ table[index]·q8, then {@code sumf += (d_x·d_w)·(float) sumi}, a product rounded and then added (the pinned
 * GCC build has no FMA there: vmulss, vaddss). So a row's result is bit-identical to the reference C
 * (Block32DotGoldenTest) where the activations are the same (our scale is not rounded to FP16).
 *
 * <p>The vector kernel forms the integer sum of a block in lanes: the table lookup of 16 indices is one byte
 * shuffle ({@code selectFrom}, vpshufb on AVX2), the table values (|v| ≤ 127) are sign-extended to shorts and
 * multiplied with the activation shorts, the low- and high-nibble products of a short lane added there
 * (≤ 2·127·127 fits a short), the shorts of an int lane added in the register, and the eight ints reduced.
 * Integer sums are exact in any order, and the float steps per block are the scalar twin's, so
 * {@link #dot} is bit-identical to {@link #dotScalar}. The species are 128-bit bytes and 256-bit shorts and
 * ints whatever {@link KernelSpecies#F} is (elsewhere the Vector API computes the same values, only slower).
 */
final class Iq4NlDots {
    private Iq4NlDots() {}

    static final int BLOCK_BYTES = 18;

    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    private static final ByteVector TABLE = ByteVector.fromArray(B16, GgmlDequant.IQ4_NL_VALUES, 0);

    /** Σ over blocks [firstBlock, firstBlock + blocks) of the row times row t of a (from its first block). */
    static float dot(MemorySegment w, long firstBlock, int blocks, Q8Activations a, int t) {
        short[] xs = a.s;
        float[] xd = a.d;
        int xBase = t * a.n(), dBase = t * (a.n() / Q8Activations.BLOCK);
        float sumf = 0f;
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BLOCK_BYTES;
            int xo = xBase + 32 * b;
            ByteVector q = ByteVector.fromMemorySegment(B16, w, base + 2, LE);
            ShortVector lo =
                    (ShortVector) q.and((byte) 0x0F).selectFrom(TABLE).convertShape(VectorOperators.B2S, S16, 0);
            ShortVector hi = (ShortVector) q.lanewise(VectorOperators.LSHR, 4)
                    .and((byte) 0x0F)
                    .selectFrom(TABLE)
                    .convertShape(VectorOperators.B2S, S16, 0);
            IntVector p = lo.mul(ShortVector.fromArray(S16, xs, xo))
                    .add(hi.mul(ShortVector.fromArray(S16, xs, xo + 16)))
                    .reinterpretAsInts();
            int sumi = p.lanewise(VectorOperators.ASHR, 16)
                    .add(p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                    .reduceLanes(VectorOperators.ADD);
            float d = xd[dBase + b] * half(w, base);
            sumf += d * (float) sumi;
        }
        return sumf;
    }

    /** The scalar twin: the reference C's loop one value at a time. */
    static float dotScalar(MemorySegment w, long firstBlock, int blocks, Q8Activations a, int t) {
        byte[] table = GgmlDequant.IQ4_NL_VALUES;
        float sumf = 0f;
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BLOCK_BYTES;
            float d = a.scale(t, b) * half(w, base);
            int sumi1 = 0, sumi2 = 0;
            for (int j = 0; j < 16; j++) {
                int v = u8(w, base + 2 + j);
                sumi1 += a.code(t, 32 * b + j) * table[v & 0xF];
                sumi2 += a.code(t, 32 * b + j + 16) * table[v >>> 4];
            }
            sumf += d * (float) (sumi1 + sumi2);
        }
        return sumf;
    }
}
