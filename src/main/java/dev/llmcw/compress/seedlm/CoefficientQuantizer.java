package dev.llmcw.compress.seedlm;

/**
 * t̂ = q·2^e with q ∈ [−8, 7] (4-bit two's complement) and one shared e ∈ [−8, 7] per block; q = clip(rint(t·2^−e)).
 * Exponents are computed with exact integer arithmetic on the binary exponent and mantissa, never with a
 * floating log2, so Java, the vectorised search and the Python reference agree on every block.
 */
public final class CoefficientQuantizer {
    public static final int Q_MIN = -8, Q_MAX = 7;
    public static final int E_MIN = -8, E_MAX = 7;
    /** Mantissa field of 1.875 (= 7.5 / 4) in a double: m ≤ 1.875·2^⌊log2 m⌋ ⟺ mantissa bits ≤ this. */
    private static final long MANT_1_875 = 0x7L << 49;

    private CoefficientQuantizer() {}

    /** The exponent for a block whose largest |t_i| is {@code maxAbs}. */
    public static int exponent(double maxAbs, ExponentRule rule) {
        if (!(maxAbs >= Double.MIN_NORMAL)) return E_MIN; // zero (or subnormal/NaN): smallest exponent, codes 0
        int e0 = Math.getExponent(maxAbs); // ⌊log2 m⌋ exactly
        int e;
        if (rule == ExponentRule.PRINTED) {
            e = e0;
        } else {
            // ⌈log2(m/7.5)⌉ = smallest e with 7.5·2^e ≥ m; m ∈ [2^e0, 2^{e0+1}) gives e ∈ {e0−2, e0−1}.
            long mant = Double.doubleToRawLongBits(maxAbs) & 0xFFFFFFFFFFFFFL;
            e = e0 - 2 + (mant > MANT_1_875 ? 1 : 0);
        }
        return Math.max(E_MIN, Math.min(E_MAX, e));
    }

    /** Quantises t[0..p) into q (codes) and returns the shared exponent. */
    public static int quantise(double[] t, int p, ExponentRule rule, int[] q) {
        double m = 0;
        for (int i = 0; i < p; i++) m = Math.max(m, Math.abs(t[i]));
        int e = exponent(m, rule);
        double inv = Math.scalb(1.0, -e);
        for (int i = 0; i < p; i++) q[i] = code(t[i] * inv);
        return e;
    }

    /** Round to nearest (ties to even, like numpy.rint), then clip to [−8, 7]. */
    static int code(double scaled) {
        double r = Math.rint(scaled);
        if (r < Q_MIN) return Q_MIN;
        if (r > Q_MAX) return Q_MAX;
        return (int) r;
    }

    /** q·2^e. */
    public static double value(int q, int e) {
        return Math.scalb((double) q, e);
    }
}
