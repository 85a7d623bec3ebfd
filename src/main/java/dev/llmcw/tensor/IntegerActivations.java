package dev.llmcw.tensor;

/**
 * The activation rows of one matrix product in the quantized forms that integer dot products need, each
 * made once per product and shared by every weight row: {@link Q8Activations} (blocks of 32) for Q8_0,
 * Q4_0, Q5_0, IQ4_NL weights and, with their block sums (llama.cpp's Q8_1 form), Q4_1 and Q5_1, {@link Q8KActivations} (blocks of 256) for the K-quants Q2_K … Q6_K, as llama.cpp's CPU
 * backend pairs them ({@code type_traits_cpu[...].vec_dot_type}). Which products take this path is decided
 * here too: decode-sized batches (property {@code workbench.intdot}, default on, up to
 * {@code workbench.intdot.maxBatch} tokens), and every batch when the llama.cpp-compatible prefill is on
 * (property {@code workbench.intdot.prefill}, default off): llama-perplexity scores whole batches with
 * quantized activations, so agreeing with it to 0.1 % needs the same rounding in prefill.
 */
public final class IntegerActivations {
    private static volatile boolean prefill = "true"
            .equalsIgnoreCase(
                    System.getProperty("workbench.intdot.prefill", "false").trim());

    private final Q8Activations q8;
    private final Q8KActivations q8k;

    private IntegerActivations(Q8Activations q8, Q8KActivations q8k) {
        this.q8 = q8;
        this.q8k = q8k;
    }

    /** Whether batches of any size take the integer path (llama.cpp-compatible prefill). */
    public static boolean prefill() {
        return prefill;
    }

    /** Switches the llama.cpp-compatible prefill at run time (tests that compare with llama-perplexity). */
    public static void setPrefill(boolean on) {
        prefill = on;
    }

    /** Whether a batch of {@code batch} tokens takes the integer path at all. */
    public static boolean useFor(int batch) {
        return Q8Activations.enabled() && (batch <= Q8Activations.MAX_BATCH || prefill);
    }

    /** Whether weights of this storage type have an integer dot product with some activation form. */
    public static boolean supports(Tensor w) {
        return w.hasIntegerDot() || w.hasQ8KDot();
    }

    /**
     * {@code tokens} rows of {@code n} floats from x[xOff] in the forms asked for (where n splits into their
     * blocks), or null when none applies.
     */
    public static IntegerActivations quantize(float[] x, int xOff, int n, int tokens, boolean q8, boolean q8k) {
        Q8Activations a = q8 && Q8Activations.fits(n) ? Q8Activations.quantize(x, xOff, n, tokens) : null;
        Q8KActivations b = q8k && Q8KActivations.fits(n) ? Q8KActivations.quantize(x, xOff, n, tokens) : null;
        return a == null && b == null ? null : new IntegerActivations(a, b);
    }

    /** Whether rows of {@code w} have an integer dot product with the forms held here. */
    public boolean covers(Tensor w) {
        return w.hasQ8KDot() ? q8k != null : w.hasIntegerDot() && q8 != null;
    }

    /** w[off .. off + n) · row t, by the integer dot product of w's type; only where {@link #covers}. */
    public float dot(Tensor w, long off, int t) {
        return w.hasQ8KDot() ? w.dotQ8K(off, q8k, t) : w.dotQ8(off, q8, t);
    }

    /** {@link #dot} of a[offA..) and b[offB..), packed by {@link FloatPair#pack}; both must be covered. */
    public long dotPair(Tensor a, long offA, Tensor b, long offB, int t) {
        if (a.hasQ8KDot() && b.hasQ8KDot()) return a.dotPairQ8K(offA, b, offB, q8k, t);
        if (a.hasIntegerDot() && b.hasIntegerDot()) return a.dotPairQ8(offA, b, offB, q8, t);
        return FloatPair.pack(dot(a, offA, t), dot(b, offB, t));
    }
}
