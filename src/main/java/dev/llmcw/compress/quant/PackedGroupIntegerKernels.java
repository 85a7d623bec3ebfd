package dev.llmcw.compress.quant;

import dev.llmcw.tensor.FloatPair;
import dev.llmcw.tensor.Q8Activations;
import dev.llmcw.util.Parallel;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Decode-sized products y = Ŵ·x over 4-bit {@link PackedGroupCodes} as integer dots against x quantized to
 * {@link Q8Activations} (Q8 blocks of 32, as the Q8_0/Q4_0 decode does): per block of 32 columns the
 * products (q − z)·x_q are summed exactly in int lanes and the lanes are scaled by s·d_x into float lanes with
 * one fused multiply-add, so the group's zero point is folded into the integers and no Σx is needed.
 *
 * <p>Layout: 4-bit codes are packed LSB-first, so byte j of a block holds columns 2j (low nibble) and 2j + 1
 * (high nibble). A block's 16 bytes are zero-extended to 16 shorts; the low nibbles multiply the block's
 * even activation codes, the high nibbles its odd ones (laid out per product in that order, {@link
 * Activations}), and the two products of a short lane are added there (|v| ≤ 2·15·127). Neighbouring short
 * lanes are then added into one int lane in the register ((v + (v << 16)) >> 16 on the int view, exact while
 * the sum fits a short, ≤ 4·15·127), as in the Q4_0 kernel. So int lane k of a block holds its columns 4k ..
 * 4k + 3, and the row's float lanes are added in {@link PackedGroupKernels#sum}'s fixed tree. The vector
 * species are fixed at 256 bits (16 shorts: one block), like the float kernel's eight lanes.
 *
 * <p>Only decode takes this path (batches of at most {@link Q8Activations#MAX_BATCH} tokens, while {@link
 * Q8Activations#enabled}); larger batches take GroupQuantLinear's blocked GEMM (from four tokens) or the float
 * kernel. Group sizes and widths that are not whole blocks of 32, and other bit widths, keep the float kernel.
 */
public final class PackedGroupIntegerKernels {
    private PackedGroupIntegerKernels() {}

    static final int BLOCK = Q8Activations.BLOCK;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    /** Whether {@code p}'s products of {@code batch} tokens take the integer path. */
    public static boolean handles(PackedGroupCodes p, int batch) {
        return p.bits() == 4 && p.groupSize() % BLOCK == 0 && Q8Activations.useFor(batch, p.cols());
    }

    /** y[yOff + t·rows + r] = row r of Ŵ · token t of x quantized to Q8 blocks; see {@link #handles}. */
    public static void forward(PackedGroupCodes p, float[] x, int xOff, float[] y, int yOff, int batch) {
        if (p.bits() != 4 || p.groupSize() % BLOCK != 0 || !Q8Activations.fits(p.cols()))
            throw new IllegalArgumentException("integer path: 4-bit codes in groups of whole blocks of 32");
        Activations a = Activations.of(Q8Activations.quantize(x, xOff, p.cols(), batch));
        int rows = p.rows();
        Parallel.forRange(0, (rows + 1) / 2, 4, pair -> {
            int r = 2 * pair;
            for (int t = 0; t < batch; t++) {
                if (r + 1 < rows) {
                    long both = rowPairDot(p, r, a, t);
                    y[yOff + t * rows + r] = FloatPair.first(both);
                    y[yOff + t * rows + r + 1] = FloatPair.second(both);
                } else y[yOff + t * rows + r] = rowDot(p, r, a, t);
            }
        });
    }

    /**
     * Rows r and r + 1 against token t in one pass (each the same operations as {@link #rowDot}, so bit for
     * bit its result): the activation loads and the loop are shared by the two rows.
     */
    static long rowPairDot(PackedGroupCodes p, int r, Activations a, int t) {
        byte[] codes = p.codes();
        short[] xs = a.evenOdd();
        float[] xd = a.scales();
        int cols = p.cols(), groups = p.groups(), blocks = cols / BLOCK, perGroup = p.groupSize() / BLOCK;
        int rowA = r * (cols / 2), rowB = rowA + cols / 2, xBase = t * cols, dBase = t * blocks;
        FloatVector accA = FloatVector.zero(F), accB = accA;
        for (int g = 0; g < groups; g++) {
            int ga = r * groups + g, gb = ga + groups;
            float scaleA = p.scale(ga), scaleB = p.scale(gb);
            short za = (short) p.zero(ga), zb = (short) p.zero(gb);
            for (int b = g * perGroup, end = Math.min(blocks, b + perGroup); b < end; b++) {
                int xo = xBase + BLOCK * b;
                ShortVector xe = ShortVector.fromArray(S, xs, xo), xodd = ShortVector.fromArray(S, xs, xo + 16);
                ShortVector qa = (ShortVector) ByteVector.fromArray(B, codes, rowA + 16 * b)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                ShortVector qb = (ShortVector) ByteVector.fromArray(B, codes, rowB + 16 * b)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                IntVector va = qa.lanewise(VectorOperators.AND, (short) 0x0F)
                        .sub(za)
                        .mul(xe)
                        .add(qa.lanewise(VectorOperators.LSHR, 4).sub(za).mul(xodd))
                        .reinterpretAsInts();
                IntVector vb = qb.lanewise(VectorOperators.AND, (short) 0x0F)
                        .sub(zb)
                        .mul(xe)
                        .add(qb.lanewise(VectorOperators.LSHR, 4).sub(zb).mul(xodd))
                        .reinterpretAsInts();
                IntVector sa = va.add(va.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                IntVector sb = vb.add(vb.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                float dx = xd[dBase + b];
                accA = ((FloatVector) sa.convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, scaleA * dx), accA);
                accB = ((FloatVector) sb.convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, scaleB * dx), accB);
            }
        }
        return FloatPair.pack(PackedGroupKernels.sum(accA), PackedGroupKernels.sum(accB));
    }

    /** Row r of Ŵ · token t of the activations. */
    static float rowDot(PackedGroupCodes p, int r, Activations a, int t) {
        byte[] codes = p.codes();
        short[] xs = a.evenOdd();
        float[] xd = a.scales();
        int cols = p.cols(), groups = p.groups(), blocks = cols / BLOCK, perGroup = p.groupSize() / BLOCK;
        int rowByte = r * (cols / 2), xBase = t * cols, dBase = t * blocks;
        FloatVector acc = FloatVector.zero(F);
        for (int g = 0; g < groups; g++) {
            int gi = r * groups + g;
            float scale = p.scale(gi);
            short z = (short) p.zero(gi);
            for (int b = g * perGroup, end = Math.min(blocks, b + perGroup); b < end; b++) {
                ShortVector q = (ShortVector) ByteVector.fromArray(B, codes, rowByte + 16 * b)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                int xo = xBase + BLOCK * b;
                IntVector v = q.lanewise(VectorOperators.AND, (short) 0x0F)
                        .sub(z)
                        .mul(ShortVector.fromArray(S, xs, xo))
                        .add(q.lanewise(VectorOperators.LSHR, 4).sub(z).mul(ShortVector.fromArray(S, xs, xo + 16)))
                        .reinterpretAsInts();
                IntVector sum = v.add(v.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                acc = ((FloatVector) sum.convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, scale * xd[dBase + b]), acc);
            }
        }
        return PackedGroupKernels.sum(acc);
    }

    /**
     * Q8 activation codes as shorts, each block of 32 reordered to its 16 even codes then its 16 odd ones (the
     * order of a block's low and high nibbles), and the blocks' scales; built once per product.
     */
    record Activations(short[] evenOdd, float[] scales) {
        static Activations of(Q8Activations q) {
            int n = q.n(), tokens = q.tokens(), blocks = n / BLOCK;
            short[] s = new short[n * tokens];
            float[] d = new float[blocks * tokens];
            for (int t = 0; t < tokens; t++)
                for (int b = 0; b < blocks; b++) {
                    d[t * blocks + b] = q.scale(t, b);
                    int o = t * n + b * BLOCK;
                    for (int j = 0; j < BLOCK; j++) s[o + (j % 2) * 16 + j / 2] = q.code(t, b * BLOCK + j);
                }
            return new Activations(s, d);
        }
    }
}
