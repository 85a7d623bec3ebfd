package dev.llmcw.tensor;

import java.util.Random;

/**
 * Checks the integer dots of the llama.cpp block types of 32 that pair with Q8 activations ({@link Iq4NlDots}
 * for IQ4_NL with Q8_0, {@link Q4_1Dots} for Q4_1 with Q8_1) at the JVM's vector width: the vector kernel equals
 * its scalar twin bit for bit (the twin is bit-identical to llama.cpp's reference C, Block32DotGoldenTest), the
 * tensor's dispatch runs the kernel, row pairs through {@link IntegerActivations} equal single rows, the
 * distance to the float dot of the same weights stays within the activations' rounding Σ_blocks d_x/2 · Σ|w|
 * (plus float rounding), and a NaN or infinity in the activations gives NaN. Called from
 * {@link KernelConformance#check}, so it also runs in the child JVMs of the other widths.
 */
final class Block32DotConformance {
    private Block32DotConformance() {}

    static void check(Random rnd) {
        for (DType type : new DType[] {DType.IQ4_NL, DType.Q4_1}) {
            for (int cols : new int[] {32, 64, 320, 576}) {
                int rows = 4, tokens = 3;
                Tensor w = KernelConformance.random(type, rows, cols, rnd);
                float[] x = IntegerDotConformance.activations(tokens * cols, rnd);
                for (int i = 5; i < x.length; i += 61) x[i] = -Math.abs(x[i]) * 40f; // codes of −127 next to small ones
                IntegerActivations ia = IntegerActivations.quantize(x, 0, cols, tokens, true, false);
                Q8Activations a = Q8Activations.quantize(x, 0, cols, tokens);
                if (!ia.covers(w)) throw new AssertionError(type + " is not covered by Q8 activations");
                for (int t = 0; t < tokens; t++) {
                    for (int r = 0; r < rows; r++) {
                        long off = (long) r * cols;
                        String what = type + " cols=" + cols + " row " + r + " token " + t;
                        float got = w.dotQ8(off, a, t);
                        float kernel = type == DType.IQ4_NL
                                ? Iq4NlDots.dot(w.segment(), off / 32, cols / 32, a, t)
                                : Q4_1Dots.dot(w.segment(), off / 32, cols / 32, a, t);
                        float twin = type == DType.IQ4_NL
                                ? Iq4NlDots.dotScalar(w.segment(), off / 32, cols / 32, a, t)
                                : Q4_1Dots.dotScalar(w.segment(), off / 32, cols / 32, a, t);
                        same(what + " kernel vs twin", kernel, twin);
                        same(what + " tensor vs kernel", got, kernel);
                        same(what + " through IntegerActivations", ia.dot(w, off, t), got);
                        long r2 = (long) ((r + 1) % rows) * cols;
                        long pair = ia.dotPair(w, off, w, r2, t);
                        same(what + " pair first", FloatPair.first(pair), got);
                        same(what + " pair second", FloatPair.second(pair), ia.dot(w, r2, t));
                        withinRoundingBound(what, w, off, cols, x, t * cols, a, t, got);
                    }
                }
            }
            checkNonFinite(type, rnd);
        }
        checkQ8_1Sums(rnd);
    }

    /** s = d·Σq of each block, from the codes and scales of the Q8 form. */
    private static void checkQ8_1Sums(Random rnd) {
        float[] x = IntegerDotConformance.activations(2 * 96, rnd);
        Q8Activations a = Q8Activations.quantize(x, 0, 96, 2);
        for (int t = 0; t < 2; t++) {
            for (int b = 0; b < 3; b++) {
                int sum = 0;
                for (int i = 0; i < 32; i++) sum += a.code(t, 32 * b + i);
                same("Q8_1 s of token " + t + " block " + b, a.blockSum(t, b), a.scale(t, b) * sum);
            }
        }
    }

    private static void withinRoundingBound(
            String what, Tensor w, long off, int n, float[] x, int xOff, Q8Activations a, int t, float got) {
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
            throw new AssertionError(what + ": integer dot " + got + " vs float " + exact + ", beyond " + limit + " at "
                    + KernelSpecies.vectorBits() + " bits");
        }
    }

    private static void checkNonFinite(DType type, Random rnd) {
        Tensor w = KernelConformance.random(type, 1, 64, rnd);
        for (float bad : new float[] {Float.NaN, Float.NEGATIVE_INFINITY}) {
            float[] x = KernelConformance.gaussian(64, rnd);
            x[40] = bad;
            IntegerActivations ia = IntegerActivations.quantize(x, 0, 64, 1, true, false);
            float got = ia.dot(w, 0, 0);
            if (!Float.isNaN(got)) throw new AssertionError(type + " integer dot with " + bad + " gave " + got);
        }
    }

    private static void same(String what, float got, float want) {
        if (Float.floatToIntBits(got) != Float.floatToIntBits(want)) {
            throw new AssertionError(what + ": " + got + " vs " + want + " at " + KernelSpecies.vectorBits() + " bits");
        }
    }
}
