package dev.llmcw.tensor;

import static dev.llmcw.tensor.KernelSpecies.I16LE;
import static dev.llmcw.tensor.KernelSpecies.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Integer dot products of Q8_0 / Q4_0 weight rows with {@link Q8Activations}: per block of 32 the int8×int8
 * products (Q4_0 nibbles unpacked in registers, minus 8) are summed exactly in int32 lanes, then the lanes
 * are scaled by d_w·d_x into float lanes with one FMA per block, and the float lanes are summed once per
 * row in a fixed pairwise order. There is no byte multiply-add (x86 {@code pmaddubsw}) in the Vector API:
 * the codes are multiplied in shorts (the activations are widened once per product, see
 * {@link Q8Activations}; the weights are split into shorts in registers by shifts and masks), two products
 * share a short lane, and neighbouring short lanes are added into int lanes by shifts on the int view of
 * the register. Conversions that widen the upper half of a register (S2I part 1) were avoided: on AVX2
 * they cost a cross-lane extract each, and the shift forms measured 1.5–1.8× faster per block.
 *
 * <p>Every vector kernel has a scalar twin ({@code ...Scalar}) that sums the same products into the same
 * int lanes (the mapping of a block's elements to int lanes is written in each twin) and does the same
 * float operations in the same order, so the two agree bit for bit: integer sums are exact, whatever
 * order they run in.
 */
final class IntegerDotKernels {
    private IntegerDotKernels() {}

    private static final int SHORT_BITS = Math.min(256, KernelSpecies.F.vectorBitSize());
    /** Shorts of at most 256 bits: a Q4_0 body (16 bytes) holds a whole number of short vectors of nibbles. */
    static final VectorSpecies<Short> SI = VectorSpecies.of(short.class, VectorShape.forBitSize(SHORT_BITS));
    /** Bytes with as many lanes as {@link #SI}. */
    static final VectorSpecies<Byte> BI = VectorSpecies.of(byte.class, VectorShape.forBitSize(SHORT_BITS / 2));

    static final VectorSpecies<Integer> II = VectorSpecies.of(int.class, VectorShape.forBitSize(SHORT_BITS));
    static final VectorSpecies<Float> FI = VectorSpecies.of(float.class, VectorShape.forBitSize(SHORT_BITS));
    static final int SL = SI.length(), IL = II.length();
    /** Bytes as wide as {@link #SI}: 2·SL Q8_0 codes seen as SL shorts. */
    static final VectorSpecies<Byte> BW = VectorSpecies.of(byte.class, VectorShape.forBitSize(SHORT_BITS));
    /** Loads of 2·SL bytes per Q8_0 block of 32. */
    private static final int PAIR_CHUNKS = Q8Activations.BLOCK / (2 * SL);
    /** Short vectors per 16 bytes of Q4_0 nibbles (each gives a low-nibble and a high-nibble chunk). */
    private static final int NIBBLE_CHUNKS = 16 / SL;

    private static final VectorShuffle<Float> ROT1 = VectorShuffle.iota(FI, 1, 1, true);
    private static final VectorShuffle<Float> ROT2 = VectorShuffle.iota(FI, 2, 1, true);
    private static final VectorShuffle<Float> ROT4 = VectorShuffle.iota(FI, Math.min(4, IL - 1), 1, true);

    // ------------------------------------------------------------------ Q8_0 (34-byte blocks)

    /*
     * A Q8_0 body is loaded 2·SL bytes at a time and seen as SL shorts: (v << 8) >> 8 is each short's low
     * byte (the chunk's even codes) sign-extended, v >> 8 its high byte (the odd codes). They multiply the
     * activations laid out even/odd to match (Q8Activations.evenOdd) and the two products of a short lane
     * are added there (|value| ≤ 2·128·127 < 2^15). The int view of those shorts then gives the sum of each
     * neighbouring pair by two shifts and an add, exactly. So int lane k of a chunk holds its elements
     * 4k .. 4k + 3, and no value needs a widening conversion (C2's S2I of an upper half costs a cross-lane
     * extract; this formulation measured 1.5× faster per block).
     */

    /** Σ over blocks [firstBlock, firstBlock + blocks) of the Q8_0 row times row t of a (from its first block). */
    static float dotQ8_0(MemorySegment w, long firstBlock, int blocks, Q8Activations a, int t) {
        short[] xs = a.evenOdd;
        float[] xd = a.d;
        int xBase = t * a.n(), dBase = t * (a.n() / Q8Activations.BLOCK);
        FloatVector acc = FloatVector.zero(FI);
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * 34;
            float scale = Float.float16ToFloat(w.get(I16LE, base)) * xd[dBase + b];
            IntVector sum = IntVector.zero(II);
            for (int c = 0; c < PAIR_CHUNKS; c++) {
                int xo = xBase + 32 * b + 2 * SL * c;
                ShortVector v = ByteVector.fromMemorySegment(BW, w, base + 2 + 2L * SL * c, LE)
                        .reinterpretAsShorts();
                IntVector p = v.lanewise(VectorOperators.LSHL, 8)
                        .lanewise(VectorOperators.ASHR, 8)
                        .mul(ShortVector.fromArray(SI, xs, xo))
                        .add(v.lanewise(VectorOperators.ASHR, 8).mul(ShortVector.fromArray(SI, xs, xo + SL)))
                        .reinterpretAsInts();
                sum = sum.add(p.lanewise(VectorOperators.ASHR, 16))
                        .add(p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            }
            acc = ((FloatVector) sum.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scale), acc);
        }
        return laneSum(acc);
    }

    /** Two Q8_0 rows (blocks from firstA and firstB) against row t of a: each result bit-identical to {@link #dotQ8_0}. */
    static long dotPairQ8_0(
            MemorySegment wa, long firstA, MemorySegment wb, long firstB, int blocks, Q8Activations a, int t) {
        short[] xs = a.evenOdd;
        float[] xd = a.d;
        int xBase = t * a.n(), dBase = t * (a.n() / Q8Activations.BLOCK);
        FloatVector accA = FloatVector.zero(FI), accB = accA;
        for (int b = 0; b < blocks; b++) {
            long baseA = (firstA + b) * 34, baseB = (firstB + b) * 34;
            float dx = xd[dBase + b];
            float scaleA = Float.float16ToFloat(wa.get(I16LE, baseA)) * dx;
            float scaleB = Float.float16ToFloat(wb.get(I16LE, baseB)) * dx;
            IntVector sa = IntVector.zero(II), sb = sa;
            for (int c = 0; c < PAIR_CHUNKS; c++) {
                int xo = xBase + 32 * b + 2 * SL * c;
                ShortVector xe = ShortVector.fromArray(SI, xs, xo), xodd = ShortVector.fromArray(SI, xs, xo + SL);
                ShortVector va = ByteVector.fromMemorySegment(BW, wa, baseA + 2 + 2L * SL * c, LE)
                        .reinterpretAsShorts();
                ShortVector vb = ByteVector.fromMemorySegment(BW, wb, baseB + 2 + 2L * SL * c, LE)
                        .reinterpretAsShorts();
                IntVector pa = va.lanewise(VectorOperators.LSHL, 8)
                        .lanewise(VectorOperators.ASHR, 8)
                        .mul(xe)
                        .add(va.lanewise(VectorOperators.ASHR, 8).mul(xodd))
                        .reinterpretAsInts();
                IntVector pb = vb.lanewise(VectorOperators.LSHL, 8)
                        .lanewise(VectorOperators.ASHR, 8)
                        .mul(xe)
                        .add(vb.lanewise(VectorOperators.ASHR, 8).mul(xodd))
                        .reinterpretAsInts();
                sa = sa.add(pa.lanewise(VectorOperators.ASHR, 16))
                        .add(pa.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
                sb = sb.add(pb.lanewise(VectorOperators.ASHR, 16))
                        .add(pb.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            }
            accA = ((FloatVector) sa.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scaleA), accA);
            accB = ((FloatVector) sb.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scaleB), accB);
        }
        return FloatPair.pack(laneSum(accA), laneSum(accB));
    }

    static float dotQ8_0Scalar(MemorySegment w, long firstBlock, int blocks, Q8Activations a, int t) {
        float[] lanes = new float[IL];
        int[] isum = new int[IL];
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * 34;
            float scale = Float.float16ToFloat(w.get(I16LE, base)) * a.scale(t, b);
            Arrays.fill(isum, 0);
            for (int e = 0; e < 32; e++)
                isum[(e % (2 * SL)) / 4] += w.get(ValueLayout.JAVA_BYTE, base + 2 + e) * a.code(t, 32 * b + e);
            for (int j = 0; j < IL; j++) lanes[j] = Math.fma((float) isum[j], scale, lanes[j]);
        }
        return laneSumScalar(lanes);
    }

    // ------------------------------------------------------------------ Q4_0 (18-byte blocks)

    /*
     * A Q4_0 body's 16 bytes are zero-extended to 16 shorts q = lo + 16·hi once. With the activations in
     * Q8Activations.nibbleForm (x_j, then z_j = x_{j+16} − 16·x_j), q·x_j + (q >> 4)·z_j = lo·x_j + hi·x_{j+16}:
     * two multiplies, one shift and one add per short lane, no mask and no −8. Short arithmetic wraps modulo
     * 2^16, so the intermediate products may overflow: only the result must fit, and |lo·x + hi·y| ≤ 2·15·127.
     * Neighbouring short lanes are then added into one int lane in the register itself (the int view v of
     * the shorts: (v + (v << 16)) >> 16 is the sum of its two halves, exact while it fits a short, ≤ 4·15·127).
     * The nibbles' −8 is Q8Activations.q4Offset (−8·Σx per int lane, exact), the block's starting sum. So int
     * lane k of a block holds Σ (nibble − 8)·x over elements e and e + 16 for the e ≡ 2k, 2k + 1 (mod SL) of
     * 0..15, the same integers as the scalar twin's.
     */

    /** Σ over blocks [firstBlock, firstBlock + blocks) of the Q4_0 row times row t of a (from its first block). */
    static float dotQ4_0(MemorySegment w, long firstBlock, int blocks, Q8Activations a, int t) {
        a.ensureNibbleForm();
        short[] xs = a.nibbleForm;
        int[] off = a.q4Offset;
        float[] xd = a.d;
        int xBase = t * a.n(), dBase = t * (a.n() / Q8Activations.BLOCK);
        FloatVector acc = FloatVector.zero(FI);
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * 18;
            float scale = Float.float16ToFloat(w.get(I16LE, base)) * xd[dBase + b];
            IntVector sum = IntVector.fromArray(II, off, (dBase + b) * IL);
            for (int h = 0; h < NIBBLE_CHUNKS; h++) {
                int xo = xBase + 32 * b + h * SL;
                ShortVector q = (ShortVector) ByteVector.fromMemorySegment(BI, w, base + 2 + (long) h * SL, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SI, 0);
                IntVector v = q.mul(ShortVector.fromArray(SI, xs, xo))
                        .add(q.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(SI, xs, xo + 16)))
                        .reinterpretAsInts();
                sum = sum.add(v.add(v.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16));
            }
            acc = ((FloatVector) sum.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scale), acc);
        }
        return laneSum(acc);
    }

    /** Two Q4_0 rows against row t of a: each result bit-identical to {@link #dotQ4_0}. */
    static long dotPairQ4_0(
            MemorySegment wa, long firstA, MemorySegment wb, long firstB, int blocks, Q8Activations a, int t) {
        a.ensureNibbleForm();
        short[] xs = a.nibbleForm;
        int[] off = a.q4Offset;
        float[] xd = a.d;
        int xBase = t * a.n(), dBase = t * (a.n() / Q8Activations.BLOCK);
        FloatVector accA = FloatVector.zero(FI), accB = accA;
        for (int b = 0; b < blocks; b++) {
            long baseA = (firstA + b) * 18, baseB = (firstB + b) * 18;
            float dx = xd[dBase + b];
            float scaleA = Float.float16ToFloat(wa.get(I16LE, baseA)) * dx;
            float scaleB = Float.float16ToFloat(wb.get(I16LE, baseB)) * dx;
            IntVector sa = IntVector.fromArray(II, off, (dBase + b) * IL), sb = sa;
            for (int h = 0; h < NIBBLE_CHUNKS; h++) {
                int xo = xBase + 32 * b + h * SL;
                ShortVector x = ShortVector.fromArray(SI, xs, xo), z = ShortVector.fromArray(SI, xs, xo + 16);
                ShortVector qa = (ShortVector) ByteVector.fromMemorySegment(BI, wa, baseA + 2 + (long) h * SL, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SI, 0);
                ShortVector qb = (ShortVector) ByteVector.fromMemorySegment(BI, wb, baseB + 2 + (long) h * SL, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SI, 0);
                IntVector va = qa.mul(x)
                        .add(qa.lanewise(VectorOperators.LSHR, 4).mul(z))
                        .reinterpretAsInts();
                IntVector vb = qb.mul(x)
                        .add(qb.lanewise(VectorOperators.LSHR, 4).mul(z))
                        .reinterpretAsInts();
                sa = sa.add(va.add(va.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16));
                sb = sb.add(vb.add(vb.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16));
            }
            accA = ((FloatVector) sa.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scaleA), accA);
            accB = ((FloatVector) sb.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scaleB), accB);
        }
        return FloatPair.pack(laneSum(accA), laneSum(accB));
    }

    static float dotQ4_0Scalar(MemorySegment w, long firstBlock, int blocks, Q8Activations a, int t) {
        float[] lanes = new float[IL];
        int[] isum = new int[IL];
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * 18;
            float scale = Float.float16ToFloat(w.get(I16LE, base)) * a.scale(t, b);
            Arrays.fill(isum, 0);
            for (int j = 0; j < 16; j++) {
                int v = w.get(ValueLayout.JAVA_BYTE, base + 2 + j) & 0xFF;
                isum[(j % SL) / 2] +=
                        ((v & 0x0F) - 8) * a.code(t, 32 * b + j) + ((v >>> 4) - 8) * a.code(t, 32 * b + j + 16);
            }
            for (int j = 0; j < IL; j++) lanes[j] = Math.fma((float) isum[j], scale, lanes[j]);
        }
        return laneSumScalar(lanes);
    }

    // ------------------------------------------------------------------ shared steps

    /** Lanes summed pairwise in a fixed order (v[i] += v[i + w], w = IL/2 … 1), as {@link KernelSpecies#sum}. */
    private static float laneSum(FloatVector v) {
        if (IL >= 8) v = v.add(v.rearrange(ROT4));
        v = v.add(v.rearrange(ROT2));
        v = v.add(v.rearrange(ROT1));
        return v.lane(0);
    }

    /** {@link #laneSum} over an array of IL lanes, step by step. */
    static float laneSumScalar(float[] lanes) {
        float[] v = lanes.clone();
        for (int w = IL / 2; w >= 1; w /= 2) {
            float[] next = new float[IL];
            for (int i = 0; i < IL; i++) next[i] = v[i] + v[(i + w) % IL];
            v = next;
        }
        return v[0];
    }
}
