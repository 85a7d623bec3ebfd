package dev.llmcw.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * SIMD kernels (jdk.incubator.vector) for the tensor storage types: dot products of a stored row with
 * float activations, conversion of stored values to floats, and the float micro-kernel of batched
 * matrix multiplication. The scalar references are the {@link Tensor} base-class methods.
 *
 * <p>The float species is chosen once per JVM by the system property {@code workbench.vector.bits}
 * (128, 256 or 512; default: the platform's preferred species). It is a static final on purpose: the
 * Vector API only compiles to SIMD instructions when the species is a compile-time constant, so a
 * species passed around as a value would silently fall back to slow Java code. Tests check the other
 * widths by running the kernels in child JVMs with the property set.
 */
public final class VectorKernels {
    private VectorKernels() {}

    public static final VectorSpecies<Float> F = floatSpecies();
    /** Shorts with as many lanes as {@link #F} (half its width; 64-bit minimum shape for 128-bit floats). */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** 16 bytes: one Q4_0 block body, or half a Q8_0 block. */
    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    static final int L = F.length();
    /** Floats produced per 16-byte load, split into {@code PARTS} float vectors. */
    static final int PARTS = 16 / L;

    private static final ValueLayout.OfFloat F32LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    // Lane i takes lane i+w (wrapping): the steps of a fixed pairwise reduction tree.
    private static final VectorShuffle<Float> ROT1 = VectorShuffle.iota(F, 1, 1, true);
    private static final VectorShuffle<Float> ROT2 = VectorShuffle.iota(F, 2, 1, true);
    private static final VectorShuffle<Float> ROT4 = VectorShuffle.iota(F, Math.min(4, L - 1), 1, true);
    private static final VectorShuffle<Float> ROT8 = VectorShuffle.iota(F, Math.min(8, L - 1), 1, true);

    /**
     * Sum of the lanes in a fixed pairwise order. reduceLanes(ADD) leaves the order open, and the
     * JIT-compiled intrinsic and the interpreter's fallback really do add in different orders, so the
     * same input could give different last bits before and after compilation; inference must be
     * reproducible bit for bit (evaluation caches, calibration compares runs exactly).
     */
    static float sum(FloatVector v) {
        if (L >= 16) v = v.add(v.rearrange(ROT8));
        if (L >= 8) v = v.add(v.rearrange(ROT4));
        v = v.add(v.rearrange(ROT2));
        v = v.add(v.rearrange(ROT1));
        return v.lane(0);
    }

    private static VectorSpecies<Float> floatSpecies() {
        String p = System.getProperty("workbench.vector.bits");
        if (p == null || p.isBlank()) return FloatVector.SPECIES_PREFERRED;
        int bits = Integer.parseInt(p.trim());
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("workbench.vector.bits must be 128, 256 or 512, got " + p);
        }
        return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }

    /** Bits of the float species in use. */
    public static int vectorBits() { return F.vectorBitSize(); }

    // ---------------------------------------------------------------- F32

    static float dotF32(MemorySegment w, long off, float[] x, int xOff, int n) {
        long base = off * 4;
        int i = 0;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            a0 = FloatVector.fromMemorySegment(F, w, base + 4L * i, LE).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = FloatVector.fromMemorySegment(F, w, base + 4L * (i + L), LE).fma(FloatVector.fromArray(F, x, xOff + i + L), a1);
        }
        for (int bound = n - L; i <= bound; i += L) {
            a0 = FloatVector.fromMemorySegment(F, w, base + 4L * i, LE).fma(FloatVector.fromArray(F, x, xOff + i), a0);
        }
        float s = sum(a0.add(a1));
        for (; i < n; i++) s += w.get(F32LE, base + 4L * i) * x[xOff + i];
        return s;
    }

    /** Two bit patterns in one long (a in the high half): how the row-pair kernels return two floats without allocating. */
    public static long pack(float a, float b) {
        return ((long) Float.floatToRawIntBits(a) << 32) | (Float.floatToRawIntBits(b) & 0xFFFF_FFFFL);
    }

    public static float first(long pair) { return Float.intBitsToFloat((int) (pair >>> 32)); }

    public static float second(long pair) { return Float.intBitsToFloat((int) pair); }

    /**
     * {@link #dotF32} of two rows (possibly of different tensors) against the same x in one loop: four
     * independent FMA chains instead of two and each x vector loaded once. Each row keeps exactly the
     * single-row accumulation order (same lanes into a0/a1, same final sum, same scalar tail), so the
     * results are bit-identical to two {@link #dotF32} calls.
     */
    static long dot2F32(MemorySegment wa, long offA, MemorySegment wb, long offB, float[] x, int xOff, int n) {
        long baseA = offA * 4, baseB = offB * 4;
        int i = 0;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), b0 = FloatVector.zero(F), b1 = FloatVector.zero(F);
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i), x1 = FloatVector.fromArray(F, x, xOff + i + L);
            a0 = FloatVector.fromMemorySegment(F, wa, baseA + 4L * i, LE).fma(x0, a0);
            b0 = FloatVector.fromMemorySegment(F, wb, baseB + 4L * i, LE).fma(x0, b0);
            a1 = FloatVector.fromMemorySegment(F, wa, baseA + 4L * (i + L), LE).fma(x1, a1);
            b1 = FloatVector.fromMemorySegment(F, wb, baseB + 4L * (i + L), LE).fma(x1, b1);
        }
        for (int bound = n - L; i <= bound; i += L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            a0 = FloatVector.fromMemorySegment(F, wa, baseA + 4L * i, LE).fma(x0, a0);
            b0 = FloatVector.fromMemorySegment(F, wb, baseB + 4L * i, LE).fma(x0, b0);
        }
        float sa = sum(a0.add(a1)), sb = sum(b0.add(b1));
        for (; i < n; i++) {
            sa += wa.get(F32LE, baseA + 4L * i) * x[xOff + i];
            sb += wb.get(F32LE, baseB + 4L * i) * x[xOff + i];
        }
        return pack(sa, sb);
    }

    static void toFloatF32(MemorySegment w, long off, float[] dst, int dstOff, int n) {
        MemorySegment.copy(w, F32LE, off * 4, dst, dstOff, n);
    }

    // ---------------------------------------------------------------- BF16

    private static FloatVector bf16(MemorySegment w, long byteOff) {
        ShortVector s = ShortVector.fromMemorySegment(S, w, byteOff, LE);
        IntVector i = (IntVector) s.convertShape(VectorOperators.S2I, I, 0);
        return i.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    static float dotBF16(MemorySegment w, long off, float[] x, int xOff, int n) {
        long base = off * 2;
        int i = 0;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            a0 = bf16(w, base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = bf16(w, base + 2L * (i + L)).fma(FloatVector.fromArray(F, x, xOff + i + L), a1);
        }
        for (int bound = n - L; i <= bound; i += L) {
            a0 = bf16(w, base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
        }
        float s = sum(a0.add(a1));
        for (; i < n; i++) s += Half.bf16ToFloat(w.get(I16LE, base + 2L * i)) * x[xOff + i];
        return s;
    }

    /** {@link #dotBF16} of two rows in one loop; bit-identical to two calls (see {@link #dot2F32}). */
    static long dot2BF16(MemorySegment wa, long offA, MemorySegment wb, long offB, float[] x, int xOff, int n) {
        long baseA = offA * 2, baseB = offB * 2;
        int i = 0;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), b0 = FloatVector.zero(F), b1 = FloatVector.zero(F);
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i), x1 = FloatVector.fromArray(F, x, xOff + i + L);
            a0 = bf16(wa, baseA + 2L * i).fma(x0, a0);
            b0 = bf16(wb, baseB + 2L * i).fma(x0, b0);
            a1 = bf16(wa, baseA + 2L * (i + L)).fma(x1, a1);
            b1 = bf16(wb, baseB + 2L * (i + L)).fma(x1, b1);
        }
        for (int bound = n - L; i <= bound; i += L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            a0 = bf16(wa, baseA + 2L * i).fma(x0, a0);
            b0 = bf16(wb, baseB + 2L * i).fma(x0, b0);
        }
        float sa = sum(a0.add(a1)), sb = sum(b0.add(b1));
        for (; i < n; i++) {
            sa += Half.bf16ToFloat(wa.get(I16LE, baseA + 2L * i)) * x[xOff + i];
            sb += Half.bf16ToFloat(wb.get(I16LE, baseB + 2L * i)) * x[xOff + i];
        }
        return pack(sa, sb);
    }

    static void toFloatBF16(MemorySegment w, long off, float[] dst, int dstOff, int n) {
        long base = off * 2;
        int i = 0;
        for (int bound = n - L; i <= bound; i += L) bf16(w, base + 2L * i).intoArray(dst, dstOff + i);
        for (; i < n; i++) dst[dstOff + i] = Half.bf16ToFloat(w.get(I16LE, base + 2L * i));
    }

    // ---------------------------------------------------------------- F16

    /** 2^112: rescales a half's exponent (bias 15) placed in a float (bias 127); exact for subnormals too. */
    private static final float HALF_TO_FLOAT_SCALE = 0x1.0p112f;

    /**
     * IEEE half → float on lanes: magnitude bits shifted into float position and multiplied by 2^112
     * (exact for normal and subnormal halves); infinities and NaNs (exponent 31) are patched by mask.
     */
    private static FloatVector f16(MemorySegment w, long byteOff) {
        ShortVector s = ShortVector.fromMemorySegment(S, w, byteOff, LE);
        IntVector h = (IntVector) s.convertShape(VectorOperators.S2I, I, 0); // sign-extended
        IntVector mag = h.lanewise(VectorOperators.AND, 0x7FFF);
        IntVector sign = h.lanewise(VectorOperators.AND, 0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector shifted = mag.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = shifted.reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).reinterpretAsInts();
        VectorMask<Integer> special = mag.compare(VectorOperators.GE, 0x7C00);
        IntVector bits = finite.blend(shifted.lanewise(VectorOperators.OR, 0x7F800000), special);
        return bits.lanewise(VectorOperators.OR, sign).reinterpretAsFloats();
    }

    static float dotF16(MemorySegment w, long off, float[] x, int xOff, int n) {
        long base = off * 2;
        int i = 0;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            a0 = f16(w, base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = f16(w, base + 2L * (i + L)).fma(FloatVector.fromArray(F, x, xOff + i + L), a1);
        }
        for (int bound = n - L; i <= bound; i += L) {
            a0 = f16(w, base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
        }
        float s = sum(a0.add(a1));
        for (; i < n; i++) s += Float.float16ToFloat(w.get(I16LE, base + 2L * i)) * x[xOff + i];
        return s;
    }

    static void toFloatF16(MemorySegment w, long off, float[] dst, int dstOff, int n) {
        long base = off * 2;
        int i = 0;
        for (int bound = n - L; i <= bound; i += L) f16(w, base + 2L * i).intoArray(dst, dstOff + i);
        for (; i < n; i++) dst[dstOff + i] = Float.float16ToFloat(w.get(I16LE, base + 2L * i));
    }

    // ---------------------------------------------------------------- Q8_0 / Q4_0 (blocks of 32)

    /** Sum over the full blocks [firstBlock, firstBlock+blocks) of Q8_0 values times x (x aligned to the first block). */
    static float dotQ8_0Blocks(MemorySegment w, long firstBlock, int blocks, float[] x, int xOff) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * 34;
            float scale = Float.float16ToFloat(w.get(I16LE, base));
            int xi = xOff + 32 * b;
            FloatVector blockAcc = FloatVector.zero(F);
            for (int half = 0; half < 2; half++) {
                ByteVector q = ByteVector.fromMemorySegment(B128, w, base + 2 + 16L * half, LE);
                for (int p = 0; p < PARTS; p++) {
                    FloatVector wf = (FloatVector) q.convertShape(VectorOperators.B2F, F, p);
                    blockAcc = wf.fma(FloatVector.fromArray(F, x, xi + 16 * half + p * L), blockAcc);
                }
            }
            acc = blockAcc.fma(FloatVector.broadcast(F, scale), acc);
        }
        return sum(acc);
    }

    static void toFloatQ8_0Blocks(MemorySegment w, long firstBlock, int blocks, float[] dst, int dstOff) {
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * 34;
            FloatVector scale = FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16LE, base)));
            int di = dstOff + 32 * b;
            for (int half = 0; half < 2; half++) {
                ByteVector q = ByteVector.fromMemorySegment(B128, w, base + 2 + 16L * half, LE);
                for (int p = 0; p < PARTS; p++) {
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).mul(scale).intoArray(dst, di + 16 * half + p * L);
                }
            }
        }
    }

    static float dotQ4_0Blocks(MemorySegment w, long firstBlock, int blocks, float[] x, int xOff) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * 18;
            float scale = Float.float16ToFloat(w.get(I16LE, base));
            int xi = xOff + 32 * b;
            ByteVector q = ByteVector.fromMemorySegment(B128, w, base + 2, LE);
            ByteVector lo = q.lanewise(VectorOperators.AND, (byte) 0x0F).sub((byte) 8);
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.AND, (byte) 0x0F).sub((byte) 8);
            FloatVector blockAcc = FloatVector.zero(F);
            for (int p = 0; p < PARTS; p++) {
                blockAcc = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xi + p * L), blockAcc);
                blockAcc = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, x, xi + 16 + p * L), blockAcc);
            }
            acc = blockAcc.fma(FloatVector.broadcast(F, scale), acc);
        }
        return sum(acc);
    }

    static void toFloatQ4_0Blocks(MemorySegment w, long firstBlock, int blocks, float[] dst, int dstOff) {
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * 18;
            FloatVector scale = FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16LE, base)));
            int di = dstOff + 32 * b;
            ByteVector q = ByteVector.fromMemorySegment(B128, w, base + 2, LE);
            ByteVector lo = q.lanewise(VectorOperators.AND, (byte) 0x0F).sub((byte) 8);
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.AND, (byte) 0x0F).sub((byte) 8);
            for (int p = 0; p < PARTS; p++) {
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).mul(scale).intoArray(dst, di + p * L);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).mul(scale).intoArray(dst, di + 16 + p * L);
            }
        }
    }

    // ---------------------------------------------------------------- float arrays

    /** sum_{i<n} a[aOff+i] * b[bOff+i] over heap arrays. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            a0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), a0);
            a1 = FloatVector.fromArray(F, a, aOff + i + L).fma(FloatVector.fromArray(F, b, bOff + i + L), a1);
        }
        for (int bound = n - L; i <= bound; i += L) {
            a0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), a0);
        }
        float s = sum(a0.add(a1));
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    private static FloatVector maxLanes(FloatVector v, VectorShuffle<Float> rot) {
        FloatVector r = v.rearrange(rot);
        return v.blend(r, v.lt(r));
    }

    /** max of a[off..off+n) (n ≥ 1), by compare and blend (the Vector API's MAX can fall back to Java code: see LlamaEngine.softmaxWeights). */
    public static float max(float[] a, int off, int n) {
        float m = a[off];
        int i = 0;
        if (n >= L) {
            // two chains (even and odd vectors): one compare-and-blend chain waits its latency every vector
            FloatVector mv = FloatVector.fromArray(F, a, off), m1 = mv;
            for (i = L; i + 2 * L <= n; i += 2 * L) {
                FloatVector v = FloatVector.fromArray(F, a, off + i), w = FloatVector.fromArray(F, a, off + i + L);
                mv = mv.blend(v, mv.lt(v));
                m1 = m1.blend(w, m1.lt(w));
            }
            if (i + L <= n) {
                FloatVector v = FloatVector.fromArray(F, a, off + i);
                mv = mv.blend(v, mv.lt(v));
                i += L;
            }
            mv = mv.blend(m1, mv.lt(m1));
            // across lanes by the same fixed rotations as sum(), no array
            if (L >= 16) mv = maxLanes(mv, ROT8);
            if (L >= 8) mv = maxLanes(mv, ROT4);
            mv = maxLanes(mv, ROT2);
            m = Math.max(m, maxLanes(mv, ROT1).lane(0));
        }
        for (; i < n; i++) m = Math.max(m, a[off + i]);
        return m;
    }

    /**
     * out[b] = max of a[b·stride .. b·stride + n) for the four rows b = 0..3, n a positive multiple of the
     * species length; {@code lanes} holds at least 4 × that length. The four rows are four independent
     * compare-and-blend chains in one loop (row after row, each waited its chain's latency per vector,
     * about a sixth of the packed attention's time), their lanes finished through the array: no vector
     * leaves this method (see LlamaEngine.softmaxWeights).
     */
    public static void max4(float[] a, int stride, int n, float[] out, float[] lanes) {
        int s1 = stride, s2 = 2 * stride, s3 = 3 * stride;
        FloatVector m0 = FloatVector.fromArray(F, a, 0), m1 = FloatVector.fromArray(F, a, s1),
                m2 = FloatVector.fromArray(F, a, s2), m3 = FloatVector.fromArray(F, a, s3);
        for (int j = L; j < n; j += L) {
            FloatVector v0 = FloatVector.fromArray(F, a, j), v1 = FloatVector.fromArray(F, a, s1 + j),
                    v2 = FloatVector.fromArray(F, a, s2 + j), v3 = FloatVector.fromArray(F, a, s3 + j);
            m0 = m0.blend(v0, m0.lt(v0));
            m1 = m1.blend(v1, m1.lt(v1));
            m2 = m2.blend(v2, m2.lt(v2));
            m3 = m3.blend(v3, m3.lt(v3));
        }
        m0.intoArray(lanes, 0);
        m1.intoArray(lanes, L);
        m2.intoArray(lanes, 2 * L);
        m3.intoArray(lanes, 3 * L);
        for (int b = 0; b < 4; b++) {
            float m = lanes[b * L];
            for (int i = 1; i < L; i++) m = Math.max(m, lanes[b * L + i]);
            out[b] = m;
        }
    }

    /** y[yOff+i] += alpha * x[xOff+i] for i < n. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(F, alpha);
        for (int bound = n - L; i <= bound; i += L) {
            FloatVector.fromArray(F, x, xOff + i).fma(va, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /**
     * Register-blocked float micro-kernel of batched matmul: for rows r in [0, rows) of {@code w}
     * (row-major, {@code n} floats per row starting at wOff) and tokens t in [0, tokens) of {@code x}
     * (n floats per token starting at xOff), y[yOff + t*yStride + r] = w_r · x_t (+ bias[r] if bias).
     * Two rows × four tokens per inner loop: each loaded weight vector is used for four tokens and each
     * activation vector for two rows, so the loop is bound by FMAs rather than loads.
     */
    public static void matmulTile(float[] w, int wOff, int rows, int n, float[] x, int xOff, int tokens,
                                  float[] y, int yOff, int yStride, float[] bias, int biasOff) {
        matmulTile(w, wOff, n, rows, n, x, xOff, n, tokens, y, yOff, yStride, bias, biasOff);
    }

    /**
     * As above with explicit row strides: row r of w starts at wOff + r*wStride, token t of x at
     * xOff + t*xStride (e.g. one head's slice of a KV cache or of the queries).
     */
    public static void matmulTile(float[] w, int wOff, int wStride, int rows, int n, float[] x, int xOff, int xStride,
                                  int tokens, float[] y, int yOff, int yStride, float[] bias, int biasOff) {
        int r = 0;
        for (; r + 2 <= rows; r += 2) {
            int w0 = wOff + r * wStride, w1 = w0 + wStride;
            int t = 0;
            for (; t + 4 <= tokens; t += 4) {
                int x0 = xOff + t * xStride, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
                FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F), c02 = FloatVector.zero(F), c03 = FloatVector.zero(F);
                FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F), c12 = FloatVector.zero(F), c13 = FloatVector.zero(F);
                int i = 0;
                for (int bound = n - L; i <= bound; i += L) {
                    FloatVector a0 = FloatVector.fromArray(F, w, w0 + i);
                    FloatVector a1 = FloatVector.fromArray(F, w, w1 + i);
                    FloatVector b = FloatVector.fromArray(F, x, x0 + i);
                    c00 = a0.fma(b, c00); c10 = a1.fma(b, c10);
                    b = FloatVector.fromArray(F, x, x1 + i);
                    c01 = a0.fma(b, c01); c11 = a1.fma(b, c11);
                    b = FloatVector.fromArray(F, x, x2 + i);
                    c02 = a0.fma(b, c02); c12 = a1.fma(b, c12);
                    b = FloatVector.fromArray(F, x, x3 + i);
                    c03 = a0.fma(b, c03); c13 = a1.fma(b, c13);
                }
                float s00 = sum(c00), s01 = sum(c01);
                float s02 = sum(c02), s03 = sum(c03);
                float s10 = sum(c10), s11 = sum(c11);
                float s12 = sum(c12), s13 = sum(c13);
                for (; i < n; i++) {
                    float a0 = w[w0 + i], a1 = w[w1 + i];
                    s00 += a0 * x[x0 + i]; s01 += a0 * x[x1 + i]; s02 += a0 * x[x2 + i]; s03 += a0 * x[x3 + i];
                    s10 += a1 * x[x0 + i]; s11 += a1 * x[x1 + i]; s12 += a1 * x[x2 + i]; s13 += a1 * x[x3 + i];
                }
                float b0 = bias == null ? 0f : bias[biasOff + r], b1 = bias == null ? 0f : bias[biasOff + r + 1];
                int y0 = yOff + t * yStride + r;
                y[y0] = s00 + b0; y[y0 + 1] = s10 + b1;
                y[y0 + yStride] = s01 + b0; y[y0 + yStride + 1] = s11 + b1;
                y[y0 + 2 * yStride] = s02 + b0; y[y0 + 2 * yStride + 1] = s12 + b1;
                y[y0 + 3 * yStride] = s03 + b0; y[y0 + 3 * yStride + 1] = s13 + b1;
            }
            for (; t < tokens; t++) {
                float b0 = bias == null ? 0f : bias[biasOff + r], b1 = bias == null ? 0f : bias[biasOff + r + 1];
                y[yOff + t * yStride + r] = dot(w, w0, x, xOff + t * xStride, n) + b0;
                y[yOff + t * yStride + r + 1] = dot(w, w1, x, xOff + t * xStride, n) + b1;
            }
        }
        for (; r < rows; r++) {
            float b0 = bias == null ? 0f : bias[biasOff + r];
            for (int t = 0; t < tokens; t++) y[yOff + t * yStride + r] = dot(w, wOff + r * wStride, x, xOff + t * xStride, n) + b0;
        }
    }

    /** Inputs per partial sum of {@link #matmulTransposed}. */
    static final int K_BLOCK = 32;

    /** Rows per step of {@link #matmulTransposed}: the transposed layout pads the row count to a multiple of this. */
    public static int transposedRowStep() { return 2 * L; }

    /**
     * Batched matmul over transposed float weights, for short rows: W in groups of S =
     * {@link #transposedRowStep()} rows, each group's columns one after another,
     * wt[(r / S · n + k) · S + r mod S] = W[r][k] (rows padded with zeros to whole groups; a group's weights
     * are read in order, and the kernel's loads are indexed by k with a constant stride, so C2 drops their
     * bounds checks), and for row groups [r0, r1) (multiples of S, r1 ≤ the padded rows) and every token t < tokens,
     * y[yOff + t*yStride + r] = Σ_k x[xOff + t*n + k]·W[r][k] (+ bias[biasOff + r]) for r < rows.
     * Lanes run along the output rows and each x value is broadcast, so no lane sums are needed: the
     * dot-product form ({@link #matmulTile}) pays a tree reduction per output, which on 64-wide rows
     * (stories260K) is as much work as the products themselves (measured 2.2–3.1× faster here at in ≤ 172,
     * no faster from in ≈ 576 on). Sums run over k in order in blocks of {@link #K_BLOCK}, one FMA per step.
     */
    public static void matmulTransposed(float[] wt, int rows, int n, int r0, int r1, float[] x, int xOff,
                                        int tokens, float[] y, int yOff, int yStride, float[] bias, int biasOff) {
        // Accumulators leave through this buffer: a vector handed to a method that is not inlined is
        // boxed, which made an earlier version with a vector-argument store helper slower than the tiled kernel.
        float[] acc = new float[12 * L];
        // One call per tile: a call with all the loops ran thousands of k-steps per call, so C2 compiled it on
        // stack replacement, twice (at two loops) and into 16–69 KB of code, before its normal compile
        // (0.7 CPU-s of C2 in a cold PIQA run on stories260K); a tile's 32–172 k-steps per call leave it to
        // one normal compile.
        // The last tokens mod 6: three or more go through tile6 from a zero-padded copy (tile1 waits an FMA's
        // latency per k-step, so three tokens alone cost more than a full tile); each token's sums are the
        // same operations in either tile, so the results do not depend on the route.
        int whole = tokens / 6 * 6, rest = tokens - whole;
        float[] tail = null;
        if (rest >= 3) {
            tail = new float[6 * n];
            System.arraycopy(x, xOff + whole * n, tail, 0, rest * n);
        }
        for (int r = r0; r < r1; r += 2 * L) {
            boolean direct = rows - r >= 2 * L;
            for (int t = 0; t < whole; t += 6) {
                if (direct) {
                    tile6(wt, n, r, x, xOff + t * n, acc, y, yOff + t * yStride + r, yStride, bias, biasOff + r);
                } else {
                    tile6(wt, n, r, x, xOff + t * n, acc, null, 0, 0, null, 0);
                    storeRows(acc, 6, y, yOff + t * yStride + r, yStride, rows - r, bias, biasOff + r);
                }
            }
            if (tail != null) {
                tile6(wt, n, r, tail, 0, acc, null, 0, 0, null, 0);
                storeRows(acc, rest, y, yOff + whole * yStride + r, yStride, rows - r, bias, biasOff + r);
            } else {
                for (int t = whole; t < tokens; t++) {
                    tile1(wt, n, r, x, xOff + t * n, acc);
                    storeRows(acc, 1, y, yOff + t * yStride + r, yStride, rows - r, bias, biasOff + r);
                }
            }
        }
    }

    /**
     * {@link #matmulTransposed}'s six tokens (rows of x from x0, n apart) × two row vectors from r: twelve
     * accumulators, 2 weight loads and 6 broadcasts per 12 FMAs (12–23 % faster than four tokens on the
     * development machine's 16 registers); the sums go to acc, token j's at 2L·j, or, when y is given (six
     * tokens, two whole row vectors), the last k-block's sums (+ bias) straight to y[yo + j·yStride ..]: the
     * same additions as through acc and {@link #storeRows}, without its copy (≈ 1 % of stories260K's scoring).
     */
    private static void tile6(float[] wt, int n, int r, float[] x, int x0, float[] acc, float[] y, int yo, int yStride,
                              float[] bias, int bo) {
        int x1 = x0 + n, x2 = x1 + n, x3 = x2 + n, x4 = x3 + n, x5 = x4 + n, g = r * n; // the group's weights start at r·n
        // k in blocks of K_BLOCK, each summed from zero and then added to the total: sequential
        // float sums over all of a 172-wide row drifted PIQA's longest items to the edge of the
        // lm-eval reference tolerance; blocks keep the error near that of the pairwise dot kernel.
        for (int kb = 0; kb < n; kb += K_BLOCK) {
            int kEnd = Math.min(n, kb + K_BLOCK);
            FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
            FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
            for (int k = kb; k < kEnd; k++) {
                FloatVector w0 = FloatVector.fromArray(F, wt, g + 2 * L * k), w1 = FloatVector.fromArray(F, wt, g + 2 * L * k + L);
                FloatVector b = FloatVector.broadcast(F, x[x0 + k]);
                c00 = w0.fma(b, c00);
                c01 = w1.fma(b, c01);
                b = FloatVector.broadcast(F, x[x1 + k]);
                c10 = w0.fma(b, c10);
                c11 = w1.fma(b, c11);
                b = FloatVector.broadcast(F, x[x2 + k]);
                c20 = w0.fma(b, c20);
                c21 = w1.fma(b, c21);
                b = FloatVector.broadcast(F, x[x3 + k]);
                c30 = w0.fma(b, c30);
                c31 = w1.fma(b, c31);
                b = FloatVector.broadcast(F, x[x4 + k]);
                c40 = w0.fma(b, c40);
                c41 = w1.fma(b, c41);
                b = FloatVector.broadcast(F, x[x5 + k]);
                c50 = w0.fma(b, c50);
                c51 = w1.fma(b, c51);
            }
            if (kb > 0) {
                c00 = c00.add(FloatVector.fromArray(F, acc, 0));
                c01 = c01.add(FloatVector.fromArray(F, acc, L));
                c10 = c10.add(FloatVector.fromArray(F, acc, 2 * L));
                c11 = c11.add(FloatVector.fromArray(F, acc, 3 * L));
                c20 = c20.add(FloatVector.fromArray(F, acc, 4 * L));
                c21 = c21.add(FloatVector.fromArray(F, acc, 5 * L));
                c30 = c30.add(FloatVector.fromArray(F, acc, 6 * L));
                c31 = c31.add(FloatVector.fromArray(F, acc, 7 * L));
                c40 = c40.add(FloatVector.fromArray(F, acc, 8 * L));
                c41 = c41.add(FloatVector.fromArray(F, acc, 9 * L));
                c50 = c50.add(FloatVector.fromArray(F, acc, 10 * L));
                c51 = c51.add(FloatVector.fromArray(F, acc, 11 * L));
            }
            if (y != null && kEnd == n) {
                if (bias != null) {
                    FloatVector d0 = FloatVector.fromArray(F, bias, bo), d1 = FloatVector.fromArray(F, bias, bo + L);
                    c00 = c00.add(d0);
                    c01 = c01.add(d1);
                    c10 = c10.add(d0);
                    c11 = c11.add(d1);
                    c20 = c20.add(d0);
                    c21 = c21.add(d1);
                    c30 = c30.add(d0);
                    c31 = c31.add(d1);
                    c40 = c40.add(d0);
                    c41 = c41.add(d1);
                    c50 = c50.add(d0);
                    c51 = c51.add(d1);
                }
                c00.intoArray(y, yo);
                c01.intoArray(y, yo + L);
                c10.intoArray(y, yo + yStride);
                c11.intoArray(y, yo + yStride + L);
                c20.intoArray(y, yo + 2 * yStride);
                c21.intoArray(y, yo + 2 * yStride + L);
                c30.intoArray(y, yo + 3 * yStride);
                c31.intoArray(y, yo + 3 * yStride + L);
                c40.intoArray(y, yo + 4 * yStride);
                c41.intoArray(y, yo + 4 * yStride + L);
                c50.intoArray(y, yo + 5 * yStride);
                c51.intoArray(y, yo + 5 * yStride + L);
                return;
            }
            c00.intoArray(acc, 0);
            c01.intoArray(acc, L);
            c10.intoArray(acc, 2 * L);
            c11.intoArray(acc, 3 * L);
            c20.intoArray(acc, 4 * L);
            c21.intoArray(acc, 5 * L);
            c30.intoArray(acc, 6 * L);
            c31.intoArray(acc, 7 * L);
            c40.intoArray(acc, 8 * L);
            c41.intoArray(acc, 9 * L);
            c50.intoArray(acc, 10 * L);
            c51.intoArray(acc, 11 * L);
        }
    }

    /** {@link #tile6} for one token (the batch's last tokens mod 6). */
    private static void tile1(float[] wt, int n, int r, float[] x, int x0, float[] acc) {
        int g = r * n;
        for (int kb = 0; kb < n; kb += K_BLOCK) {
            int kEnd = Math.min(n, kb + K_BLOCK);
            FloatVector c0 = FloatVector.zero(F), c1 = c0;
            for (int k = kb; k < kEnd; k++) {
                FloatVector b = FloatVector.broadcast(F, x[x0 + k]);
                c0 = FloatVector.fromArray(F, wt, g + 2 * L * k).fma(b, c0);
                c1 = FloatVector.fromArray(F, wt, g + 2 * L * k + L).fma(b, c1);
            }
            if (kb > 0) {
                c0 = c0.add(FloatVector.fromArray(F, acc, 0));
                c1 = c1.add(FloatVector.fromArray(F, acc, L));
            }
            c0.intoArray(acc, 0);
            c1.intoArray(acc, L);
        }
    }

    /** Token j's 2L row values acc[2L·j ..] into y[off + j·yStride ..] (+ bias), the first {@code left} of them. */
    private static void storeRows(float[] acc, int tokens, float[] y, int off, int yStride, int left, float[] bias, int bo) {
        for (int j = 0; j < tokens; j++) {
            int yo = off + j * yStride, ao = 2 * L * j;
            if (left >= 2 * L) {
                FloatVector a = FloatVector.fromArray(F, acc, ao), b = FloatVector.fromArray(F, acc, ao + L);
                if (bias != null) {
                    a = a.add(FloatVector.fromArray(F, bias, bo));
                    b = b.add(FloatVector.fromArray(F, bias, bo + L));
                }
                a.intoArray(y, yo);
                b.intoArray(y, yo + L);
            } else {
                for (int i = 0; i < left; i++) y[yo + i] = acc[ao + i] + (bias == null ? 0f : bias[bo + i]);
            }
        }
    }

    /**
     * g[i] = silu(g[i]) * u[i] = g / (1 + e^-g) * u for i in [from, to). Not the Vector API's EXP, which
     * has a different implementation (and last bits) compiled than interpreted: {@link VectorExp}, the
     * same bits either way (e^-g capped at e^88; silu is then 0 to float precision), in place of a
     * scalar Math.exp per element that was a tenth of stories260K's scoring time.
     */
    public static void swiglu(float[] g, float[] u, int from, int to) {
        int i = from;
        // two vectors per step: an exponential is a long dependency chain, and one per step left most of
        // its latency exposed on the development machine (Zen 1)
        for (int bound = to - 2 * L; i <= bound; i += 2 * L) {
            FloatVector gv = FloatVector.fromArray(F, g, i), hv = FloatVector.fromArray(F, g, i + L);
            FloatVector ng = gv.neg(), nh = hv.neg();
            // min(-g, 88) by compare/blend (see VectorExp)
            FloatVector e = VectorExp.exp(ng.blend(88f, ng.compare(VectorOperators.GT, 88f)));
            FloatVector f = VectorExp.exp(nh.blend(88f, nh.compare(VectorOperators.GT, 88f)));
            gv.div(e.add(1f)).mul(FloatVector.fromArray(F, u, i)).intoArray(g, i);
            hv.div(f.add(1f)).mul(FloatVector.fromArray(F, u, i + L)).intoArray(g, i + L);
        }
        // the rest (under two vectors) by the scalar form, the same bits; callers pass whole blocks of rows
        for (; i < to; i++) g[i] = swiglu(g[i], u[i]);
    }

    /**
     * silu(g) * u for one element: the same bits as a lane of the array form (VectorExp's scalar twin,
     * same operation order), so the fused decode paths that call this agree with the layer-by-layer path.
     */
    public static float swiglu(float g, float u) {
        return g / (1f + VectorExp.exp(Math.min(-g, 88f))) * u;
    }
}
