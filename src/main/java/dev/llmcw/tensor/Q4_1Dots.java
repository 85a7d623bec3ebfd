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
 * Integer dot products of Q4_1 rows (20-byte blocks of 32: FP16 scale d and offset m, 16 bytes of 4-bit codes,
 * value = d·code + m) with {@link Q8Activations} and their block sums s = d·Σq ({@link Q8Activations#blockSums}, llama.cpp's Q8_1 form), as llama.cpp's {@code ggml_vec_dot_q4_1_q8_1_generic}
 * (ggml-cpu/quants.c): per block the exact integer sum Σ code·q8, then
 * {@code sumf += fma(d_w·d_x, (float) sumi, m·s)} — the pinned GCC build fuses that multiply-add
 * ({@code vfmadd132ss}) and then adds to sumf ({@code vaddss}); s = d_x·Σq8 carries the offset's share, so
 * the m term needs no pass over the activations. Bit-identical to the reference C where the activations are
 * the same (Block32DotGoldenTest; ours keep d and s as floats, llama.cpp rounds them to FP16).
 *
 * <p>The vector kernel: the 16 code bytes are zero-extended to shorts once, the low nibbles (elements 0..15)
 * and the high nibbles (16..31) multiply the activation shorts, the two products of a short lane are added
 * there (≤ 2·15·127), the shorts of an int lane added in the register and the eight ints reduced: exact, so
 * {@link #dot} is bit-identical to {@link #dotScalar}. 128-bit bytes, 256-bit shorts and ints whatever
 * {@link KernelSpecies#F} is.
 */
final class Q4_1Dots {
    private Q4_1Dots() {}

    static final int BLOCK_BYTES = 20;

    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;

    /** Σ over blocks [firstBlock, firstBlock + blocks) of the row times row t of a (from its first block). */
    static float dot(MemorySegment w, long firstBlock, int blocks, Q8Activations a, int t) {
        short[] xs = a.s;
        float[] xd = a.d, xsum = a.blockSums();
        int xBase = t * a.n(), dBase = t * (a.n() / Q8Activations.BLOCK);
        float sumf = 0f;
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BLOCK_BYTES;
            int xo = xBase + 32 * b;
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B16, w, base + 4, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            IntVector p = q.lanewise(VectorOperators.AND, (short) 0x0F)
                    .mul(ShortVector.fromArray(S16, xs, xo))
                    .add(q.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, xs, xo + 16)))
                    .reinterpretAsInts();
            int sumi = p.lanewise(VectorOperators.ASHR, 16)
                    .add(p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                    .reduceLanes(VectorOperators.ADD);
            sumf += Math.fma(half(w, base) * xd[dBase + b], (float) sumi, half(w, base + 2) * xsum[dBase + b]);
        }
        return sumf;
    }

    /** The scalar twin: the reference C's loop one value at a time. */
    static float dotScalar(MemorySegment w, long firstBlock, int blocks, Q8Activations a, int t) {
        float sumf = 0f;
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BLOCK_BYTES;
            int sumi0 = 0, sumi1 = 0;
            for (int j = 0; j < 16; j++) {
                int v = u8(w, base + 4 + j);
                sumi0 += (v & 0x0F) * a.code(t, 32 * b + j);
                sumi1 += (v >>> 4) * a.code(t, 32 * b + j + 16);
            }
            float dd = half(w, base) * a.scale(t, b), ms = half(w, base + 2) * a.blockSum(t, b);
            sumf += Math.fma(dd, (float) (sumi0 + sumi1), ms);
        }
        return sumf;
    }
}
