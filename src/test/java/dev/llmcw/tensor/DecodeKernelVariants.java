package dev.llmcw.tensor;

import static dev.llmcw.tensor.GgmlDequant.half;
import static dev.llmcw.tensor.GgmlDequant.minK4;
import static dev.llmcw.tensor.GgmlDequant.scaleK4;
import static dev.llmcw.tensor.IntegerDotKernels.BI;
import static dev.llmcw.tensor.IntegerDotKernels.FI;
import static dev.llmcw.tensor.IntegerDotKernels.SI;
import static dev.llmcw.tensor.KernelSpecies.I16LE;
import static dev.llmcw.tensor.KernelSpecies.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** Kernel formulations measured by {@link DecodeKernelBench} before one goes into the main code (256-bit only). */
final class DecodeKernelVariants {
    private DecodeKernelVariants() {}

    /** Q8_0 pair: short products' neighbours added in int lanes by shifts instead of S2I conversions. */
    static long q8PairShift(
            MemorySegment wa, long firstA, MemorySegment wb, long firstB, int blocks, Q8Activations a, int t) {
        short[] xs = a.s;
        float[] xd = a.d;
        int xBase = t * a.n(), dBase = t * (a.n() / 32);
        FloatVector accA = FloatVector.zero(FI), accB = accA;
        for (int b = 0; b < blocks; b++) {
            long baseA = (firstA + b) * 34, baseB = (firstB + b) * 34;
            float dx = xd[dBase + b];
            float scaleA = Float.float16ToFloat(wa.get(I16LE, baseA)) * dx;
            float scaleB = Float.float16ToFloat(wb.get(I16LE, baseB)) * dx;
            int xo = xBase + 32 * b;
            ShortVector x0 = ShortVector.fromArray(SI, xs, xo), x1 = ShortVector.fromArray(SI, xs, xo + 16);
            IntVector pa = ((ShortVector) ByteVector.fromMemorySegment(BI, wa, baseA + 2, LE)
                            .convertShape(VectorOperators.B2S, SI, 0))
                    .mul(x0)
                    .add(((ShortVector) ByteVector.fromMemorySegment(BI, wa, baseA + 18, LE)
                                    .convertShape(VectorOperators.B2S, SI, 0))
                            .mul(x1))
                    .reinterpretAsInts();
            IntVector pb = ((ShortVector) ByteVector.fromMemorySegment(BI, wb, baseB + 2, LE)
                            .convertShape(VectorOperators.B2S, SI, 0))
                    .mul(x0)
                    .add(((ShortVector) ByteVector.fromMemorySegment(BI, wb, baseB + 18, LE)
                                    .convertShape(VectorOperators.B2S, SI, 0))
                            .mul(x1))
                    .reinterpretAsInts();
            IntVector sa = pa.lanewise(VectorOperators.ASHR, 16)
                    .add(pa.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            IntVector sb = pb.lanewise(VectorOperators.ASHR, 16)
                    .add(pb.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            accA = ((FloatVector) sa.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scaleA), accA);
            accB = ((FloatVector) sb.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scaleB), accB);
        }
        return FloatPair.pack(accA.reduceLanes(VectorOperators.ADD), accB.reduceLanes(VectorOperators.ADD));
    }

    /** Q8_0 pair: one 32-byte load per block split into even/odd bytes by shifts (activations pre-split even/odd). */
    static long q8PairEvenOdd(
            MemorySegment wa, long firstA, MemorySegment wb, long firstB, int blocks, short[] xeo, float[] xd) {
        FloatVector accA = FloatVector.zero(FI), accB = accA;
        for (int b = 0; b < blocks; b++) {
            long baseA = (firstA + b) * 34, baseB = (firstB + b) * 34;
            float dx = xd[b];
            float scaleA = Float.float16ToFloat(wa.get(I16LE, baseA)) * dx;
            float scaleB = Float.float16ToFloat(wb.get(I16LE, baseB)) * dx;
            ShortVector xe = ShortVector.fromArray(SI, xeo, 32 * b), xodd = ShortVector.fromArray(SI, xeo, 32 * b + 16);
            ShortVector wA = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, wa, baseA + 2, LE)
                    .reinterpretAsShorts();
            ShortVector wB = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, wb, baseB + 2, LE)
                    .reinterpretAsShorts();
            ShortVector pa = wA.lanewise(VectorOperators.LSHL, 8)
                    .lanewise(VectorOperators.ASHR, 8)
                    .mul(xe)
                    .add(wA.lanewise(VectorOperators.ASHR, 8).mul(xodd));
            ShortVector pb = wB.lanewise(VectorOperators.LSHL, 8)
                    .lanewise(VectorOperators.ASHR, 8)
                    .mul(xe)
                    .add(wB.lanewise(VectorOperators.ASHR, 8).mul(xodd));
            IntVector ia = pa.reinterpretAsInts(), ib = pb.reinterpretAsInts();
            IntVector sa = ia.lanewise(VectorOperators.ASHR, 16)
                    .add(ia.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            IntVector sb = ib.lanewise(VectorOperators.ASHR, 16)
                    .add(ib.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            accA = ((FloatVector) sa.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scaleA), accA);
            accB = ((FloatVector) sb.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scaleB), accB);
        }
        return FloatPair.pack(accA.reduceLanes(VectorOperators.ADD), accB.reduceLanes(VectorOperators.ADD));
    }

    /** Q4_0 pair with the −8 taken out: Σ n·x − 8·Σx, the block's Σx precomputed. */
    static long q4PairNoSub(
            MemorySegment wa,
            long firstA,
            MemorySegment wb,
            long firstB,
            int blocks,
            short[] xs,
            float[] xd,
            int[] xsum) {
        FloatVector accA = FloatVector.zero(FI), accB = accA;
        float corrA = 0f, corrB = 0f;
        for (int b = 0; b < blocks; b++) {
            long baseA = (firstA + b) * 18, baseB = (firstB + b) * 18;
            float dx = xd[b];
            float scaleA = Float.float16ToFloat(wa.get(I16LE, baseA)) * dx;
            float scaleB = Float.float16ToFloat(wb.get(I16LE, baseB)) * dx;
            ShortVector xLo = ShortVector.fromArray(SI, xs, 32 * b), xHi = ShortVector.fromArray(SI, xs, 32 * b + 16);
            ShortVector qa = (ShortVector) ByteVector.fromMemorySegment(BI, wa, baseA + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, SI, 0);
            ShortVector qb = (ShortVector) ByteVector.fromMemorySegment(BI, wb, baseB + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, SI, 0);
            IntVector va = qa.lanewise(VectorOperators.AND, (short) 0x0F)
                    .mul(xLo)
                    .add(qa.lanewise(VectorOperators.LSHR, 4).mul(xHi))
                    .reinterpretAsInts();
            IntVector vb = qb.lanewise(VectorOperators.AND, (short) 0x0F)
                    .mul(xLo)
                    .add(qb.lanewise(VectorOperators.LSHR, 4).mul(xHi))
                    .reinterpretAsInts();
            IntVector sa = va.add(va.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            IntVector sb = vb.add(vb.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            accA = ((FloatVector) sa.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scaleA), accA);
            accB = ((FloatVector) sb.convertShape(VectorOperators.I2F, FI, 0))
                    .fma(FloatVector.broadcast(FI, scaleB), accB);
            corrA = Math.fma(scaleA, xsum[b], corrA);
            corrB = Math.fma(scaleB, xsum[b], corrB);
        }
        return FloatPair.pack(
                accA.reduceLanes(VectorOperators.ADD) - 8 * corrA, accB.reduceLanes(VectorOperators.ADD) - 8 * corrB);
    }

    /** Q4_0, four rows per pass (activation registers reused four times). Returns the sum of the four (bench only). */
    static float q4Quad(
            MemorySegment w, long f0, long f1, long f2, long f3, int blocks, short[] xs, float[] xd, float[] out) {
        FloatVector a0 = FloatVector.zero(FI), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            float dx = xd[b];
            ShortVector xLo = ShortVector.fromArray(SI, xs, 32 * b), xHi = ShortVector.fromArray(SI, xs, 32 * b + 16);
            long b0 = (f0 + b) * 18, b1 = (f1 + b) * 18, b2 = (f2 + b) * 18, b3 = (f3 + b) * 18;
            a0 = q4Step(w, b0, xLo, xHi, dx, a0);
            a1 = q4Step(w, b1, xLo, xHi, dx, a1);
            a2 = q4Step(w, b2, xLo, xHi, dx, a2);
            a3 = q4Step(w, b3, xLo, xHi, dx, a3);
        }
        out[0] = a0.reduceLanes(VectorOperators.ADD);
        out[1] = a1.reduceLanes(VectorOperators.ADD);
        out[2] = a2.reduceLanes(VectorOperators.ADD);
        out[3] = a3.reduceLanes(VectorOperators.ADD);
        return out[0] + out[1] + out[2] + out[3];
    }

    static FloatVector q4Step(MemorySegment w, long base, ShortVector xLo, ShortVector xHi, float dx, FloatVector acc) {
        float scale = Float.float16ToFloat(w.get(I16LE, base)) * dx;
        ShortVector q = (ShortVector)
                ByteVector.fromMemorySegment(BI, w, base + 2, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, SI, 0);
        IntVector v = q.lanewise(VectorOperators.AND, (short) 0x0F)
                .sub((short) 8)
                .mul(xLo)
                .add(q.lanewise(VectorOperators.LSHR, 4).sub((short) 8).mul(xHi))
                .reinterpretAsInts();
        IntVector s = v.add(v.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
        return ((FloatVector) s.convertShape(VectorOperators.I2F, FI, 0)).fma(FloatVector.broadcast(FI, scale), acc);
    }

    private static final jdk.incubator.vector.VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    private static final jdk.incubator.vector.VectorSpecies<Integer> I8 = IntVector.SPECIES_256;

    /** The Q4_K vector dot before the short-lane version (commit 6e692e4), for A/B in one JVM. */
    private static IntVector u8x8(MemorySegment w, long at) {
        return ((IntVector) ByteVector.fromMemorySegment(B8, w, at, LE).convertShape(VectorOperators.B2I, I8, 0))
                .and(0xFF);
    }

    /** Eight signed activation codes at q8[at] in int lanes. */
    private static IntVector s8x8(byte[] q8, int at) {
        return (IntVector) ByteVector.fromArray(B8, q8, at).convertShape(VectorOperators.B2I, I8, 0);
    }

    static float q4KOld(MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t) {
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

    /** The Q6_K vector dot before the short-lane version (commit a140396), for A/B in one JVM. */
    static float q6KOld(MemorySegment w, long firstBlock, int blocks, Q8KActivations a, int t) {
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
                    acc = acc.add(c1.mul(s8x8(q8, e)).mul(scaleByte(w, sc + is)))
                            .add(c2.mul(s8x8(q8, e + 32)).mul(scaleByte(w, sc + is + 2)))
                            .add(c3.mul(s8x8(q8, e + 64)).mul(scaleByte(w, sc + is + 4)))
                            .add(c4.mul(s8x8(q8, e + 96)).mul(scaleByte(w, sc + is + 6)));
                }
            }
            acc.intoArray(aux32, 0);
            float d = half(w, base + 208) * a.d[x0 / 256];
            for (int l = 0; l < 8; l++) sums[l] += d * aux32[l];
        }
        return KQuantDotKernels.laneTotal(0f, sums);
    }

    private static int scaleByte(MemorySegment w, long at) {
        return w.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at);
    }
}
