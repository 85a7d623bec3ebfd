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
 * the bytes are sign-extended to shorts (B2S), multiplied in shorts (|w·x| ≤ 128·127, so two products
 * still fit a short and are added there), and widened to ints (S2I) once per pair of products.
 *
 * <p>Every vector kernel has a scalar twin ({@code ...Scalar}) that sums the same products into the same
 * int lanes (element e of a block goes to int lane e mod {@link #IL}) and does the same float operations
 * in the same order, so the two agree bit for bit: integer sums are exact, whatever order they run in.
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
    /** Short vectors per block of 32. */
    private static final int CHUNKS = Q8Activations.BLOCK / SL;
    /** Short vectors per 16 bytes of Q4_0 nibbles (each gives a low-nibble and a high-nibble chunk). */
    private static final int NIBBLE_CHUNKS = 16 / SL;

    private static final VectorShuffle<Float> ROT1 = VectorShuffle.iota(FI, 1, 1, true);
    private static final VectorShuffle<Float> ROT2 = VectorShuffle.iota(FI, 2, 1, true);
    private static final VectorShuffle<Float> ROT4 = VectorShuffle.iota(FI, Math.min(4, IL - 1), 1, true);

    // ------------------------------------------------------------------ Q8_0 (34-byte blocks)

    /** Σ over blocks [firstBlock, firstBlock + blocks) of the Q8_0 row times row t of a (from its first block). */
    static float dotQ8_0(MemorySegment w, long firstBlock, int blocks, Q8Activations a, int t) {
        byte[] xq = a.q;
        float[] xd = a.d;
        int xBase = t * a.n(), dBase = t * (a.n() / Q8Activations.BLOCK);
        FloatVector acc = FloatVector.zero(FI);
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * 34;
            float scale = Float.float16ToFloat(w.get(I16LE, base)) * xd[dBase + b];
            IntVector isum = q8Block(w, base + 2, xq, xBase + 32 * b);
            acc = ((FloatVector) isum.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scale), acc);
        }
        return laneSum(acc);
    }

    /** Two Q8_0 rows (blocks from firstA and firstB) against row t of a: each result bit-identical to {@link #dotQ8_0}. */
    static long dotPairQ8_0(
            MemorySegment wa, long firstA, MemorySegment wb, long firstB, int blocks, Q8Activations a, int t) {
        byte[] xq = a.q;
        float[] xd = a.d;
        int xBase = t * a.n(), dBase = t * (a.n() / Q8Activations.BLOCK);
        FloatVector accA = FloatVector.zero(FI), accB = accA;
        for (int b = 0; b < blocks; b++) {
            long baseA = (firstA + b) * 34, baseB = (firstB + b) * 34;
            float dx = xd[dBase + b];
            float scaleA = Float.float16ToFloat(wa.get(I16LE, baseA)) * dx;
            float scaleB = Float.float16ToFloat(wb.get(I16LE, baseB)) * dx;
            IntVector sa = IntVector.zero(II), sb = sa;
            for (int c = 0; c < CHUNKS; c += 2) {
                int xo = xBase + 32 * b + c * SL;
                ShortVector x0 = widen(ByteVector.fromArray(BI, xq, xo));
                ShortVector x1 = widen(ByteVector.fromArray(BI, xq, xo + SL));
                long oa = baseA + 2 + (long) c * SL, ob = baseB + 2 + (long) c * SL;
                ShortVector pa = widen(ByteVector.fromMemorySegment(BI, wa, oa, LE))
                        .mul(x0)
                        .add(widen(ByteVector.fromMemorySegment(BI, wa, oa + SL, LE))
                                .mul(x1));
                ShortVector pb = widen(ByteVector.fromMemorySegment(BI, wb, ob, LE))
                        .mul(x0)
                        .add(widen(ByteVector.fromMemorySegment(BI, wb, ob + SL, LE))
                                .mul(x1));
                sa = addWidened(sa, pa);
                sb = addWidened(sb, pb);
            }
            accA = ((FloatVector) sa.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scaleA), accA);
            accB = ((FloatVector) sb.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scaleB), accB);
        }
        return FloatPair.pack(laneSum(accA), laneSum(accB));
    }

    /** The int lanes of one Q8_0 block body (32 bytes at w[off]) times 32 activation codes at xq[xo]. */
    private static IntVector q8Block(MemorySegment w, long off, byte[] xq, int xo) {
        IntVector s = IntVector.zero(II);
        for (int c = 0; c < CHUNKS; c += 2) {
            ShortVector p = widen(ByteVector.fromMemorySegment(BI, w, off + (long) c * SL, LE))
                    .mul(widen(ByteVector.fromArray(BI, xq, xo + c * SL)))
                    .add(widen(ByteVector.fromMemorySegment(BI, w, off + (long) (c + 1) * SL, LE))
                            .mul(widen(ByteVector.fromArray(BI, xq, xo + (c + 1) * SL))));
            s = addWidened(s, p);
        }
        return s;
    }

    static float dotQ8_0Scalar(MemorySegment w, long firstBlock, int blocks, Q8Activations a, int t) {
        float[] lanes = new float[IL];
        int[] isum = new int[IL];
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * 34;
            float scale = Float.float16ToFloat(w.get(I16LE, base)) * a.scale(t, b);
            Arrays.fill(isum, 0);
            for (int e = 0; e < 32; e++)
                isum[e % IL] += w.get(ValueLayout.JAVA_BYTE, base + 2 + e) * a.code(t, 32 * b + e);
            for (int j = 0; j < IL; j++) lanes[j] = Math.fma((float) isum[j], scale, lanes[j]);
        }
        return laneSumScalar(lanes);
    }

    // ------------------------------------------------------------------ Q4_0 (18-byte blocks)

    /** Σ over blocks [firstBlock, firstBlock + blocks) of the Q4_0 row times row t of a (from its first block). */
    static float dotQ4_0(MemorySegment w, long firstBlock, int blocks, Q8Activations a, int t) {
        byte[] xq = a.q;
        float[] xd = a.d;
        int xBase = t * a.n(), dBase = t * (a.n() / Q8Activations.BLOCK);
        FloatVector acc = FloatVector.zero(FI);
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * 18;
            float scale = Float.float16ToFloat(w.get(I16LE, base)) * xd[dBase + b];
            IntVector isum = q4Block(w, base + 2, xq, xBase + 32 * b);
            acc = ((FloatVector) isum.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scale), acc);
        }
        return laneSum(acc);
    }

    /** Two Q4_0 rows against row t of a: each result bit-identical to {@link #dotQ4_0}. */
    static long dotPairQ4_0(
            MemorySegment wa, long firstA, MemorySegment wb, long firstB, int blocks, Q8Activations a, int t) {
        byte[] xq = a.q;
        float[] xd = a.d;
        int xBase = t * a.n(), dBase = t * (a.n() / Q8Activations.BLOCK);
        FloatVector accA = FloatVector.zero(FI), accB = accA;
        for (int b = 0; b < blocks; b++) {
            long baseA = (firstA + b) * 18, baseB = (firstB + b) * 18;
            float dx = xd[dBase + b];
            float scaleA = Float.float16ToFloat(wa.get(I16LE, baseA)) * dx;
            float scaleB = Float.float16ToFloat(wb.get(I16LE, baseB)) * dx;
            IntVector sa = IntVector.zero(II), sb = sa;
            for (int h = 0; h < NIBBLE_CHUNKS; h++) {
                int xo = xBase + 32 * b + h * SL;
                ShortVector xLo = widen(ByteVector.fromArray(BI, xq, xo));
                ShortVector xHi = widen(ByteVector.fromArray(BI, xq, xo + 16));
                sa = addWidened(
                        sa,
                        nibbleProducts(ByteVector.fromMemorySegment(BI, wa, baseA + 2 + (long) h * SL, LE), xLo, xHi));
                sb = addWidened(
                        sb,
                        nibbleProducts(ByteVector.fromMemorySegment(BI, wb, baseB + 2 + (long) h * SL, LE), xLo, xHi));
            }
            accA = ((FloatVector) sa.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scaleA), accA);
            accB = ((FloatVector) sb.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scaleB), accB);
        }
        return FloatPair.pack(laneSum(accA), laneSum(accB));
    }

    /** The int lanes of one Q4_0 block body (16 bytes at w[off]: element j low nibble, j+16 high) times 32 codes at xq[xo]. */
    private static IntVector q4Block(MemorySegment w, long off, byte[] xq, int xo) {
        IntVector s = IntVector.zero(II);
        for (int h = 0; h < NIBBLE_CHUNKS; h++) {
            ByteVector q = ByteVector.fromMemorySegment(BI, w, off + (long) h * SL, LE);
            ShortVector xLo = widen(ByteVector.fromArray(BI, xq, xo + h * SL));
            ShortVector xHi = widen(ByteVector.fromArray(BI, xq, xo + 16 + h * SL));
            s = addWidened(s, nibbleProducts(q, xLo, xHi));
        }
        return s;
    }

    /** (low nibble − 8)·xLo + (high nibble − 8)·xHi in shorts (|value| ≤ 2·8·127, no overflow). */
    private static ShortVector nibbleProducts(ByteVector q, ShortVector xLo, ShortVector xHi) {
        ByteVector lo = q.lanewise(VectorOperators.AND, (byte) 0x0F).sub((byte) 8);
        ByteVector hi = q.lanewise(VectorOperators.LSHR, 4)
                .lanewise(VectorOperators.AND, (byte) 0x0F)
                .sub((byte) 8);
        return widen(lo).mul(xLo).add(widen(hi).mul(xHi));
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
                isum[j % IL] += ((v & 0x0F) - 8) * a.code(t, 32 * b + j);
                isum[(j + 16) % IL] += ((v >>> 4) - 8) * a.code(t, 32 * b + j + 16);
            }
            for (int j = 0; j < IL; j++) lanes[j] = Math.fma((float) isum[j], scale, lanes[j]);
        }
        return laneSumScalar(lanes);
    }

    // ------------------------------------------------------------------ shared steps

    private static ShortVector widen(ByteVector v) {
        return (ShortVector) v.convertShape(VectorOperators.B2S, SI, 0);
    }

    /** s + both int halves of p: short lane k goes to int lane k mod IL. */
    private static IntVector addWidened(IntVector s, ShortVector p) {
        return s.add((IntVector) p.convertShape(VectorOperators.S2I, II, 0))
                .add((IntVector) p.convertShape(VectorOperators.S2I, II, 1));
    }

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
