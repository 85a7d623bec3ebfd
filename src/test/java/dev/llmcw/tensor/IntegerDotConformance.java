package dev.llmcw.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Checks the integer dot kernels of Q8_0 and Q4_0 ({@link IntegerDotKernels}), Q5_0 and Q5_1
 * ({@link Q5DotKernels}) at the JVM's vector width:
 * the vector kernels equal their scalar twins bit for bit, row pairs equal single rows bit for bit, and
 * against the float dot of the same weights the difference stays within the activation rounding bound
 * Σ_blocks d_x/2 · Σ|w| (plus float rounding). Called from {@link KernelConformance#check}, so it also
 * runs in the child JVMs of the other widths.
 */
final class IntegerDotConformance {
    private IntegerDotConformance() {}

    static void check(Random rnd) {
        for (DType type : new DType[] {DType.Q8_0, DType.Q4_0, DType.Q5_0, DType.Q5_1}) {
            for (int cols : new int[] {32, 64, 96, 320, 576}) {
                int rows = 5;
                Tensor w = KernelConformance.random(type, rows, cols, rnd);
                Tensor other = KernelConformance.random(type, rows, cols, rnd);
                float[] x = activations(3 * cols, rnd);
                Q8Activations a = Q8Activations.quantize(x, 0, cols, 3);
                for (int t = 0; t < 3; t++) {
                    for (int r = 0; r < rows; r++) {
                        long off = (long) r * cols;
                        float got = w.dotQ8(off, a, t);
                        float twin = scalarTwin(type, w, off, cols, a, t);
                        same(type + " twin cols=" + cols + " row " + r + " token " + t, got, twin);
                        long r2 = (long) ((r + 2) % rows) * cols;
                        long pair = w.dotPairQ8(off, other, r2, a, t);
                        same(type + " pair first", FloatPair.first(pair), got);
                        same(type + " pair second", FloatPair.second(pair), other.dotQ8(r2, a, t));
                        withinRoundingBound(type, w, off, cols, x, t * cols, a, t, got);
                    }
                }
            }
        }
        checkNonFinite();
        checkQ4_0Extremes();
        checkKQuants(rnd);
    }

    /**
     * The K-quants' Q8_K dots ({@link KQuantDotKernels}, bit-identical to llama.cpp's reference by
     * KQuantDotGoldenTest): the vector kernels equal their scalar twin, row pairs equal single rows, the distance to the float dot stays within the
     * activations' rounding Σ_blocks |d_x|/2 · Σ|w|, and a NaN or infinity gives NaN.
     */
    static void checkKQuants(Random rnd) {
        for (DType type : new DType[] {DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K}) {
            for (int cols : new int[] {256, 768}) {
                int rows = 3;
                Tensor w = KernelConformance.random(type, rows, cols, rnd);
                float[] x = activations(2 * cols, rnd);
                for (int i = 0; i < cols; i += 97) x[i] = -Math.abs(x[i]) * 50f; // negative maxima flip the scale
                Q8KActivations a = Q8KActivations.quantize(x, 0, cols, 2);
                for (int t = 0; t < 2; t++) {
                    for (int r = 0; r < rows; r++) {
                        long off = (long) r * cols, r2 = (long) ((r + 1) % rows) * cols;
                        float got = w.dotQ8K(off, a, t);
                        same(
                                type + " Q8_K twin cols=" + cols + " row " + r,
                                got,
                                KQuantDotKernels.dotScalar(type, w.segment(), off / 256, cols / 256, a, t));
                        long pair = w.dotPairQ8K(off, w, r2, a, t);
                        same(type + " Q8_K pair first", FloatPair.first(pair), got);
                        same(type + " Q8_K pair second", FloatPair.second(pair), w.dotQ8K(r2, a, t));
                        double exact = 0, bound = 0, mag = 0;
                        for (int b = 0; b < cols / Q8KActivations.BLOCK; b++) {
                            double absW = 0;
                            for (int i = 256 * b; i < 256 * b + 256; i++) {
                                double wi = w.get(off + i);
                                exact += wi * x[t * cols + i];
                                absW += Math.abs(wi);
                                mag += Math.abs(wi * x[t * cols + i]);
                            }
                            bound += Math.abs(a.scale(t, b)) / 2 * absW;
                        }
                        double limit = bound * (1 + 1e-6) + 1e-5 * mag + 1e-6;
                        if (!(Math.abs(got - exact) <= limit))
                            throw new AssertionError(type + " Q8_K dot n=" + cols + ": " + got + " vs float " + exact
                                    + ", beyond " + limit);
                    }
                }
            }
            Tensor w = KernelConformance.random(type, 1, 256, rnd);
            for (float bad : new float[] {Float.NaN, Float.NEGATIVE_INFINITY}) {
                float[] x = KernelConformance.gaussian(256, rnd);
                x[100] = bad;
                float got = w.dotQ8K(0, Q8KActivations.quantize(x, 0, 256, 1), 0);
                if (!Float.isNaN(got)) throw new AssertionError(type + " Q8_K dot with " + bad + " gave " + got);
            }
        }
    }

    /** The scalar twin of the type's integer dot (Q5_0/Q5_1: llama.cpp's reference loops, see Q5DotKernels). */
    private static float scalarTwin(DType type, Tensor w, long off, int cols, Q8Activations a, int t) {
        return switch (type) {
            case Q8_0 -> IntegerDotKernels.dotQ8_0Scalar(w.segment(), off / 32, cols / 32, a, t);
            case Q4_0 -> IntegerDotKernels.dotQ4_0Scalar(w.segment(), off / 32, cols / 32, a, t);
            case Q5_0 -> Q5DotKernels.dotQ5_0Scalar(w.segment(), off / 32, cols / 32, a, t);
            case Q5_1 -> Q5DotKernels.dotQ5_1Scalar(w.segment(), off / 32, cols / 32, a, t);
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /** Gaussian values with a few blocks scaled far up or down and one all-zero block (scale 0). */
    static float[] activations(int n, Random rnd) {
        float[] x = KernelConformance.gaussian(n, rnd);
        for (int b = 0; b < n / 32; b++) {
            float f = b % 5 == 1 ? 300f : b % 7 == 2 ? 1e-3f : 1f;
            for (int i = 0; i < 32; i++) x[32 * b + i] *= f;
        }
        for (int i = 32; i < 64 && i < n; i++) x[i] = 0f;
        return x;
    }

    private static void withinRoundingBound(
            DType type, Tensor w, long off, int n, float[] x, int xOff, Q8Activations a, int t, float got) {
        double exact = 0, bound = 0, mag = 0;
        for (int b = 0; b < n / 32; b++) {
            double absW = 0;
            for (int i = 32 * b; i < 32 * b + 32; i++) {
                double wi = w.get(off + i);
                exact += wi * x[xOff + i];
                absW += Math.abs(wi);
                mag += Math.abs(wi * x[xOff + i]);
            }
            bound += a.scale(t, b) / 2 * absW;
        }
        double limit = bound * (1 + 1e-6) + 1e-5 * mag + 1e-6;
        if (!(Math.abs(got - exact) <= limit)) {
            throw new AssertionError(type + " integer dot n=" + n + ": " + got + " vs float " + exact + ", beyond "
                    + limit + " at " + KernelSpecies.vectorBits() + " bits");
        }
    }

    /**
     * Q4_0 at the edges of its short arithmetic: nibbles 0 and 15 against codes ±127, in every combination
     * of the two halves of a block (the kernel multiplies the whole byte and relies on short wrap-around),
     * equal to the exact integer sum Σ (nibble − 8)·code times the scales, and to the twin bit for bit.
     */
    private static void checkQ4_0Extremes() {
        int[] bytes = {0x00, 0xFF, 0x0F, 0xF0};
        float[][] signs = {{1, 1}, {-1, -1}, {1, -1}, {-1, 1}};
        int cols = 64;
        for (int by : bytes) {
            for (float[] sg : signs) {
                ByteBuffer buf = ByteBuffer.allocate(18 * cols / 32).order(ByteOrder.LITTLE_ENDIAN);
                for (int blk = 0; blk < cols / 32; blk++) {
                    buf.putShort(Half.floatToF16(1f));
                    for (int j = 0; j < 16; j++) buf.put((byte) by);
                }
                Tensor w = Tensors.wrap(DType.Q4_0, new long[] {1, cols}, MemorySegment.ofArray(buf.array()));
                float[] x = new float[cols];
                for (int i = 0; i < cols; i++) x[i] = 127f * sg[(i % 32) / 16];
                Q8Activations a = Q8Activations.quantize(x, 0, cols, 1);
                double exact = 0;
                for (int i = 0; i < cols; i++) {
                    int nib = (i % 32) < 16 ? (by & 0x0F) : (by >>> 4);
                    exact += (double) (nib - 8) * a.code(0, i) * a.scale(0, i / 32);
                }
                float got = w.dotQ8(0, a, 0);
                same("Q4_0 extremes twin", got, IntegerDotKernels.dotQ4_0Scalar(w.segment(), 0, cols / 32, a, 0));
                if (Math.abs(got - exact) > 1e-5 * Math.abs(exact) + 1e-6)
                    throw new AssertionError("Q4_0 extremes byte " + by + ": " + got + " vs exact " + exact);
            }
        }
    }

    /** A NaN or infinity in the activations gives NaN, as the float path would give NaN or infinity. */
    private static void checkNonFinite() {
        Random rnd = new Random(5);
        for (DType type : new DType[] {DType.Q8_0, DType.Q4_0, DType.Q5_0, DType.Q5_1}) {
            Tensor w = KernelConformance.random(type, 1, 64, rnd);
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
                float[] x = KernelConformance.gaussian(64, rnd);
                x[40] = bad;
                float got = w.dotQ8(0, Q8Activations.quantize(x, 0, 64, 1), 0);
                if (!Float.isNaN(got)) throw new AssertionError(type + " integer dot with " + bad + " gave " + got);
            }
        }
    }

    private static void same(String what, float got, float want) {
        if (Float.floatToIntBits(got) != Float.floatToIntBits(want)) {
            throw new AssertionError(what + ": " + got + " vs " + want + " at " + KernelSpecies.vectorBits() + " bits");
        }
    }
}
