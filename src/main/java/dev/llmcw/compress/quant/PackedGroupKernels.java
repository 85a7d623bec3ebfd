package dev.llmcw.compress.quant;

import dev.llmcw.util.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector kernels of y = Ŵ·x over {@link PackedGroupCodes} of 1–4 bits, the codes unpacked in registers.
 * Eight codes of b ≤ 4 bits are one 32-bit word: it is broadcast to eight int lanes, lane j shifted right by
 * j·b and masked, and converted to floats; the lanes are fixed at eight (256 bits) because that is what one
 * word holds, whatever the platform's preferred width.
 *
 * <p>Order of the arithmetic (what {@code PackedGroupKernelsTwin} in the tests restates in scalar Java, bit for
 * bit): every group starts its chunks of eight at its first column; lane j sums q·x of columns ≡ j (mod 8)
 * from the group start with one fused multiply-add each; a group contributes d_j = s_j − z·xs_j (fused) with
 * xs_j the same lanes' plain sum of x, and acc_j += d_j·scale (fused). The columns past the last whole chunk
 * of a group (group sizes that are not a multiple of 8, or a short last group) go the same way through one
 * scalar accumulator. A row's result is the lanes added in a fixed tree, ((a0+a4)+(a2+a6))+((a1+a5)+(a3+a7)),
 * plus the scalar accumulator. Decode (one token) unpacks each word in registers; a batch unpacks a row once
 * into a float row buffer and runs every token over it, the same operations on the same values, so a batch's
 * outputs equal one-token calls bit for bit.
 */
public final class PackedGroupKernels {
    private PackedGroupKernels() {}

    /** The widest code the kernels unpack (eight codes to one 32-bit word). */
    public static final int MAX_BITS = 4;
    /** Lanes per chunk: eight codes, one word. */
    public static final int LANES = 8;
    /** Floats per group in {@link #groupSums}: the eight lane sums, then the scalar tail's sum. */
    public static final int SUMS_PER_GROUP = LANES + 1;

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorShuffle<Float> ROT4 = VectorShuffle.iota(F, 4, 1, true);
    private static final VectorShuffle<Float> ROT2 = VectorShuffle.iota(F, 2, 1, true);
    private static final VectorShuffle<Float> ROT1 = VectorShuffle.iota(F, 1, 1, true);
    private static final int ROWS_PER_TASK = 16;

    /** Whether the kernels take codes of {@code bits} bits. */
    public static boolean supports(int bits) {
        return bits >= 1 && bits <= MAX_BITS;
    }

    /** y[yOff + t·rows + r] = row r of Ŵ · token t of x, for {@code batch} tokens of {@code cols} floats. */
    public static void forward(PackedGroupCodes p, float[] x, int xOff, float[] y, int yOff, int batch) {
        if (!supports(p.bits())) throw new IllegalArgumentException("packed kernels take 1.." + MAX_BITS + " bits");
        int rows = p.rows(), cols = p.cols(), stride = p.groups() * SUMS_PER_GROUP;
        float[] sums = new float[batch * stride];
        for (int t = 0; t < batch; t++) groupSums(p, x, xOff + t * cols, sums, t * stride);
        if (batch == 1) {
            Parallel.forRange(0, rows, 8, r -> y[yOff + r] = rowDot(p, r, x, xOff, sums, 0));
            return;
        }
        int tasks = (rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        Parallel.forRange(0, tasks, 1, task -> {
            float[] codes = new float[cols];
            for (int r = task * ROWS_PER_TASK, end = Math.min(rows, r + ROWS_PER_TASK); r < end; r++) {
                unpackRow(p, r, codes);
                for (int t = 0; t < batch; t++)
                    y[yOff + t * rows + r] = rowDotUnpacked(p, r, codes, x, xOff + t * cols, sums, t * stride);
            }
        });
    }

    /** Per group of one token: the eight lane sums of x over the group's whole chunks, then its tail's sum. */
    static void groupSums(PackedGroupCodes p, float[] x, int xo, float[] out, int outOff) {
        int cols = p.cols(), gs = p.groupSize();
        for (int g = 0, o = outOff; g < p.groups(); g++, o += SUMS_PER_GROUP) {
            int c0 = g * gs, c1 = Math.min(cols, c0 + gs), full = c0 + ((c1 - c0) & -LANES);
            FloatVector s = FloatVector.zero(F);
            for (int c = c0; c < full; c += LANES) s = s.add(FloatVector.fromArray(F, x, xo + c));
            s.intoArray(out, o);
            float tail = 0;
            for (int c = full; c < c1; c++) tail += x[xo + c];
            out[o + LANES] = tail;
        }
    }

    /** Row r · x with the codes unpacked from their words in registers. */
    static float rowDot(PackedGroupCodes p, int r, float[] x, int xo, float[] sums, int sumsOff) {
        byte[] packed = p.codes();
        int cols = p.cols(), gs = p.groupSize(), groups = p.groups(), bits = p.bits();
        IntVector shifts = IntVector.fromArray(I, SHIFTS, (bits - 1) * LANES);
        IntVector mask = IntVector.broadcast(I, (1 << bits) - 1);
        long rowBit = (long) r * cols * bits;
        FloatVector acc = FloatVector.zero(F);
        float tailAcc = 0;
        for (int g = 0; g < groups; g++) {
            int c0 = g * gs, c1 = Math.min(cols, c0 + gs), full = c0 + ((c1 - c0) & -LANES);
            int gi = r * groups + g;
            FloatVector s = FloatVector.zero(F);
            long bit = rowBit + (long) c0 * bits;
            for (int c = c0; c < full; c += LANES, bit += LANES * bits) {
                int word = (int) PackedGroupCodes.window(packed, bit);
                FloatVector q = (FloatVector) IntVector.broadcast(I, word)
                        .lanewise(VectorOperators.LSHR, shifts)
                        .and(mask)
                        .convert(VectorOperators.I2F, 0);
                s = q.fma(FloatVector.fromArray(F, x, xo + c), s);
            }
            float scale = p.scale(gi), negZero = -p.zero(gi);
            int o = sumsOff + g * SUMS_PER_GROUP;
            FloatVector d = FloatVector.fromArray(F, sums, o).fma(FloatVector.broadcast(F, negZero), s);
            acc = d.fma(FloatVector.broadcast(F, scale), acc);
            if (full < c1) {
                float ts = 0;
                for (int c = full; c < c1; c++, bit += bits)
                    ts = Math.fma(PackedGroupCodes.field(packed, bit, bits), x[xo + c], ts);
                tailAcc = Math.fma(Math.fma(sums[o + LANES], negZero, ts), scale, tailAcc);
            }
        }
        return sum(acc) + tailAcc;
    }

    /** {@link #rowDot} over codes already unpacked to floats (the same values, the same operations). */
    static float rowDotUnpacked(
            PackedGroupCodes p, int r, float[] codes, float[] x, int xo, float[] sums, int sumsOff) {
        int cols = p.cols(), gs = p.groupSize(), groups = p.groups();
        FloatVector acc = FloatVector.zero(F);
        float tailAcc = 0;
        for (int g = 0; g < groups; g++) {
            int c0 = g * gs, c1 = Math.min(cols, c0 + gs), full = c0 + ((c1 - c0) & -LANES);
            int gi = r * groups + g;
            FloatVector s = FloatVector.zero(F);
            for (int c = c0; c < full; c += LANES)
                s = FloatVector.fromArray(F, codes, c).fma(FloatVector.fromArray(F, x, xo + c), s);
            float scale = p.scale(gi), negZero = -p.zero(gi);
            int o = sumsOff + g * SUMS_PER_GROUP;
            FloatVector d = FloatVector.fromArray(F, sums, o).fma(FloatVector.broadcast(F, negZero), s);
            acc = d.fma(FloatVector.broadcast(F, scale), acc);
            if (full < c1) {
                float ts = 0;
                for (int c = full; c < c1; c++) ts = Math.fma(codes[c], x[xo + c], ts);
                tailAcc = Math.fma(Math.fma(sums[o + LANES], negZero, ts), scale, tailAcc);
            }
        }
        return sum(acc) + tailAcc;
    }

    /** Row r's codes as floats (exact: small integers). */
    static void unpackRow(PackedGroupCodes p, int r, float[] out) {
        byte[] packed = p.codes();
        int cols = p.cols(), bits = p.bits();
        IntVector shifts = IntVector.fromArray(I, SHIFTS, (bits - 1) * LANES);
        IntVector mask = IntVector.broadcast(I, (1 << bits) - 1);
        long bit = (long) r * cols * bits;
        int c = 0;
        for (; c + LANES <= cols; c += LANES, bit += LANES * bits) {
            int word = (int) PackedGroupCodes.window(packed, bit);
            FloatVector q = (FloatVector) IntVector.broadcast(I, word)
                    .lanewise(VectorOperators.LSHR, shifts)
                    .and(mask)
                    .convert(VectorOperators.I2F, 0);
            q.intoArray(out, c);
        }
        for (; c < cols; c++, bit += bits) out[c] = PackedGroupCodes.field(packed, bit, bits);
    }

    /**
     * The lanes of an 8-lane vector added in the fixed tree ((a0+a4)+(a2+a6))+((a1+a5)+(a3+a7)): reduceLanes
     * leaves the order open (compiled and interpreted code differ), inference must repeat bit for bit.
     */
    public static float sum(FloatVector v) {
        v = v.add(v.rearrange(ROT4));
        v = v.add(v.rearrange(ROT2));
        v = v.add(v.rearrange(ROT1));
        return v.lane(0);
    }

    /** Lane j's right shift j·b for b = 1..4, eight entries per b. */
    private static final int[] SHIFTS = shifts();

    private static int[] shifts() {
        int[] s = new int[MAX_BITS * LANES];
        for (int b = 1; b <= MAX_BITS; b++) for (int j = 0; j < LANES; j++) s[(b - 1) * LANES + j] = j * b;
        return s;
    }
}
