package dev.llmcw.tensor;

import dev.llmcw.engine.DenseLinear;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Compares every vector kernel with its scalar reference (the {@link Tensor} base-class methods) on
 * random data with odd lengths and offsets, so head and tail handling is exercised. Runs in the test
 * JVM and, as {@link #main}, in child JVMs with other vector widths.
 */
public final class KernelConformance {
    private KernelConformance() {}

    public static void main(String[] args) {
        check();
        System.out.println("OK vector bits " + KernelSpecies.vectorBits());
    }

    /** A view of {@code t} that only implements get(), so dot/toFloat run the base-class scalar code. */
    static Tensor scalarView(Tensor t) {
        return new Tensor(t.shape()) {
            @Override
            public DType dtype() {
                return t.dtype();
            }

            @Override
            public MemorySegment segment() {
                return t.segment();
            }

            @Override
            public float get(long index) {
                return t.get(index);
            }
        };
    }

    static Tensor random(DType type, int rows, int cols, Random rnd) {
        long n = (long) rows * cols;
        ByteBuffer b = ByteBuffer.allocate((int) type.bytesFor(n)).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> {
                for (long i = 0; i < n; i++) b.putFloat((float) rnd.nextGaussian());
            }
            case BF16 -> {
                for (long i = 0; i < n; i++) b.putShort(Half.floatToBf16((float) rnd.nextGaussian()));
            }
            case F16 -> {
                for (long i = 0; i < n; i++) {
                    // include subnormal halves (|x| < 6.1e-5) so the exponent-rescaling trick is checked there too
                    float v = i % 17 == 3 ? (float) (rnd.nextGaussian() * 3e-5) : (float) rnd.nextGaussian();
                    b.putShort(Half.floatToF16(v));
                }
            }
            case Q8_0 -> {
                for (long blk = 0; blk < n / 32; blk++) {
                    b.putShort(Half.floatToF16((float) (0.01 + rnd.nextDouble() * 0.05)));
                    for (int j = 0; j < 32; j++) b.put((byte) (rnd.nextInt(255) - 127));
                }
            }
            case Q4_0 -> {
                for (long blk = 0; blk < n / 32; blk++) {
                    b.putShort(Half.floatToF16((float) (0.01 + rnd.nextDouble() * 0.2)));
                    for (int j = 0; j < 16; j++) b.put((byte) rnd.nextInt(256));
                }
            }
            default -> {
                // llama.cpp block types: every code and packed scale bit pattern random, the f16 fields finite
                rnd.nextBytes(b.array());
                for (long blk = 0; blk < n / type.blockSize(); blk++) {
                    for (int off : type.halfOffsets()) {
                        float v = (float) ((rnd.nextBoolean() ? 1 : -1) * (0.001 + rnd.nextDouble() * 0.05));
                        b.putShort((int) (blk * type.blockBytes() + off), Half.floatToF16(v));
                    }
                }
            }
        }
        return Tensors.wrap(type, new long[] {rows, cols}, MemorySegment.ofArray(b.array()));
    }

    static float[] gaussian(int n, Random rnd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    public static void check() {
        Random rnd = new Random(42);
        for (DType type : DType.values()) {
            // 301: not a multiple of any vector length; 320 = 10 blocks of 32; 768 = 3 super-blocks of 256
            int cols = type.blockSize() == 1 ? 301 : type.blockSize() == 256 ? 768 : 320;
            int rows = 7;
            Tensor t = random(type, rows, cols, rnd);
            Tensor ref = scalarView(t);
            float[] x = gaussian(rows * cols + 5, rnd);
            // every (offset, length) pair hits a different head/body/tail split, including partial blocks
            int[] offsets = {0, 1, 5, 31, 32, 33, 64, 97};
            int[] lengths = {0, 1, 3, 15, 16, 17, 31, 32, 33, 63, 64, 100, 255, 256, 257, 1000, rows * cols - 100};
            for (int off : offsets) {
                for (int n : lengths) {
                    if (off + n > rows * cols) continue;
                    float got = t.dot(off, x, 3, n), want = ref.dot(off, x, 3, n);
                    double mag = 0;
                    for (int i = 0; i < n; i++) mag += Math.abs(ref.get(off + i) * x[3 + i]);
                    if (Math.abs(got - want) > 1e-5 * mag + 1e-6) {
                        throw new AssertionError(type + " dot off=" + off + " n=" + n + ": " + got + " vs " + want
                                + " at " + KernelSpecies.vectorBits() + " bits");
                    }
                    float[] a = new float[n + 2], e = new float[n + 2];
                    t.toFloat(off, a, 1, n);
                    ref.toFloat(off, e, 1, n);
                    for (int i = 0; i < n + 2; i++) {
                        if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(e[i])) {
                            throw new AssertionError(type + " toFloat off=" + off + " n=" + n + " index " + i + ": "
                                    + a[i] + " vs " + e[i] + " at " + KernelSpecies.vectorBits() + " bits");
                        }
                    }
                }
            }
            checkDotPair(type, t, rnd);
            checkMatmul(type, rnd);
        }
        checkHalfSpecials();
        IntegerDotConformance.check(rnd);
        Block32DotConformance.check(rnd);
        checkMax(rnd);
        checkMax4(rnd);
        checkSwiglu(rnd);
    }

    /**
     * The array SwiGLU (two vectors per step, then scalars) equals the scalar form bit for bit over
     * every split of [from, to), with gates far beyond the exponential's cap on both sides.
     */
    static void checkSwiglu(Random rnd) {
        int l = KernelSpecies.F.length();
        float[] g0 = gaussian(7 * l + 5, rnd), u = gaussian(g0.length, rnd);
        for (int i = 0; i < g0.length; i++) g0[i] *= 6f;
        g0[3] = 120f;
        g0[l + 2] = -120f;
        g0[2 * l] = Float.MAX_VALUE;
        g0[3 * l + 1] = -Float.MAX_VALUE;
        for (int from : new int[] {0, 1, l - 1}) {
            for (int to = from; to <= g0.length; to++) {
                float[] g = g0.clone();
                VectorKernels.swiglu(g, u, from, to);
                for (int i = 0; i < g.length; i++) {
                    float want = i >= from && i < to ? VectorKernels.swiglu(g0[i], u[i]) : g0[i];
                    if (Float.floatToIntBits(g[i]) != Float.floatToIntBits(want)) {
                        throw new AssertionError("swiglu [" + from + ", " + to + ") index " + i + ": " + g[i] + " vs "
                                + want + " at " + KernelSpecies.vectorBits() + " bits");
                    }
                }
            }
        }
    }

    /** max4 over four rows (stride with a gap, whole vectors, the maximum anywhere in a row) equals the scalar maxima. */
    static void checkMax4(Random rnd) {
        int l = KernelSpecies.F.length();
        for (int vectors = 1; vectors <= 9; vectors++) {
            int n = vectors * l, stride = n + 3;
            float[] a = gaussian(4 * stride, rnd), out = new float[4], lanes = new float[4 * l];
            a[rnd.nextInt(n)] = 50f; // row 0's maximum somewhere in the row, row 3's in its last lane
            a[3 * stride + n - 1] = 60f;
            VectorKernels.max4(a, stride, n, out, lanes);
            for (int b = 0; b < 4; b++) {
                float want = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) want = Math.max(want, a[b * stride + i]);
                if (out[b] != want) {
                    throw new AssertionError("max4 row " + b + " n=" + n + ": " + out[b] + " vs " + want + " at "
                            + KernelSpecies.vectorBits() + " bits");
                }
            }
        }
    }

    /** max over every (offset, length) split of head, vector body and tail equals the scalar maximum. */
    static void checkMax(Random rnd) {
        float[] a = gaussian(300, rnd);
        for (int off : new int[] {0, 1, 7, 33}) {
            for (int n = 1; off + n <= a.length; n += n < 40 ? 1 : 37) {
                float want = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) want = Math.max(want, a[off + i]);
                if (VectorKernels.max(a, off, n) != want) {
                    throw new AssertionError("max off=" + off + " n=" + n + ": " + VectorKernels.max(a, off, n) + " vs "
                            + want + " at " + KernelSpecies.vectorBits() + " bits");
                }
            }
        }
    }

    /** Row-pair dots (same tensor, another tensor of the type, another type) equal two single dots bit for bit. */
    static void checkDotPair(DType type, Tensor t, Random rnd) {
        int size = Math.toIntExact(t.numel());
        Tensor other = random(type, t.rows(), t.cols(), rnd), f32 = random(DType.F32, t.rows(), t.cols(), rnd);
        float[] x = gaussian(size + 5, rnd);
        int[] offsets = {0, 1, 32, 97, 320};
        int[] lengths = {0, 1, 7, 16, 17, 33, 64, 255, 256, 301, 320, 1000};
        for (int offA : offsets) {
            for (int offB : offsets) {
                for (int n : lengths) {
                    if (Math.max(offA, offB) + n > size) continue;
                    for (Tensor b : new Tensor[] {t, other, f32}) {
                        long got = t.dotPair(offA, b, offB, x, 2, n);
                        long want = FloatPair.pack(t.dot(offA, x, 2, n), b.dot(offB, x, 2, n));
                        if (got != want) {
                            throw new AssertionError(type + " dotPair with " + b.dtype() + " offA=" + offA + " offB="
                                    + offB
                                    + " n=" + n + ": " + FloatPair.first(got) + ", " + FloatPair.second(got) + " vs "
                                    + FloatPair.first(want) + ", " + FloatPair.second(want) + " at "
                                    + KernelSpecies.vectorBits() + " bits");
                        }
                    }
                }
            }
        }
    }

    /**
     * Batched DenseLinear against per-token scalar dots, with bias: short rows (the transposed kernel)
     * and rows wider than DenseLinear's transposed limit (the tiled dot-product kernel).
     */
    static void checkMatmul(DType type, Random rnd) {
        boolean k = type.blockSize() == DType.QK_K; // K-quant rows hold whole super-blocks of 256
        checkMatmul(type, type.blockSize() == 1 ? 77 : k ? 256 : 96, rnd);
        checkMatmul(type, type.blockSize() == 1 ? 301 : k ? 512 : 320, rnd);
    }

    static void checkMatmul(DType type, int in, Random rnd) {
        int out = 37;
        Tensor w = random(type, out, in, rnd);
        Tensor ref = scalarView(w);
        float[] bias = gaussian(out, rnd);
        boolean wasOn = Q8Activations.enabled();
        try {
            for (boolean integerOn : new boolean[] {true, false}) {
                Q8Activations.setEnabled(integerOn);
                checkMatmul(w, ref, bias, rnd);
            }
        } finally {
            Q8Activations.setEnabled(wasOn);
        }
    }

    /**
     * One pass of {@link #checkMatmul}: where the integer path runs (Q8_0/Q4_0 and the K-quants, decode-sized batch) each
     * output must be the integer row dot bit for bit (its distance to the float dot is
     * {@link IntegerDotConformance}'s check), elsewhere the float dot within float rounding.
     */
    private static void checkMatmul(Tensor w, Tensor ref, float[] bias, Random rnd) {
        DType type = w.dtype();
        int out = w.rows(), in = w.cols();
        for (int batch : new int[] {1, 3, 4, 5, 8, 9, 11, 13, 70}) { // 6-token tiles plus 0–5 more
            float[] x = gaussian(batch * in + 2, rnd);
            float[] y = new float[batch * out + 3];
            new DenseLinear(w, bias).forward(x, 2, y, 1, batch);
            boolean integer = batch < 4 && IntegerActivations.useFor(batch);
            IntegerActivations xq =
                    integer ? IntegerActivations.quantize(x, 2, in, batch, w.hasIntegerDot(), w.hasQ8KDot()) : null;
            for (int t = 0; t < batch; t++) {
                for (int o = 0; o < out; o++) {
                    if (xq != null) {
                        float want = xq.dot(w, (long) o * in, t) + bias[o], got = y[1 + t * out + o];
                        if (Float.floatToIntBits(got) != Float.floatToIntBits(want)) {
                            throw new AssertionError(type + " integer matmul batch=" + batch + " token " + t + " row "
                                    + o + ": " + got + " vs " + want + " at " + KernelSpecies.vectorBits() + " bits");
                        }
                        continue;
                    }
                    float want = ref.dot((long) o * in, x, 2 + t * in, in) + bias[o];
                    double mag = Math.abs(bias[o]);
                    for (int i = 0; i < in; i++) mag += Math.abs(ref.get((long) o * in + i) * x[2 + t * in + i]);
                    float got = y[1 + t * out + o];
                    if (Math.abs(got - want) > 1e-5 * mag + 1e-6) {
                        throw new AssertionError(type + " matmul batch=" + batch + " token " + t + " row " + o + ": "
                                + got + " vs " + want + " at " + KernelSpecies.vectorBits() + " bits");
                    }
                }
            }
            if (y[0] != 0f || y[batch * out + 1] != 0f)
                throw new AssertionError("matmul wrote outside its output range");
        }
    }

    /** Every one of the 65536 half bit patterns converts exactly like Float.float16ToFloat (any NaN for a NaN: payloads may be quieted). */
    static void checkHalfSpecials() {
        int n = 65536;
        ByteBuffer b = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) b.putShort((short) i);
        Tensor t = Tensors.wrap(DType.F16, new long[] {n}, MemorySegment.ofArray(b.array()));
        float[] got = new float[n];
        t.toFloat(0, got, 0, n);
        for (int i = 0; i < n; i++) {
            float want = Float.float16ToFloat((short) i);
            boolean same = Float.isNaN(want)
                    ? Float.isNaN(got[i])
                    : Float.floatToRawIntBits(got[i]) == Float.floatToRawIntBits(want);
            if (!same) {
                throw new AssertionError("F16 bits 0x" + Integer.toHexString(i) + " -> " + got[i] + " vs " + want);
            }
        }
    }
}
