package dev.llmcw.compress.seedlm;

/** How the shared 4-bit exponent of a block's coefficients is chosen (algorithms.md §1, coefficient quantisation). */
public enum ExponentRule {
    /** e = ⌈log2(max|t| / 7.5)⌉, clamped: fills the code range [−8, 7] (default; [repro] ~1.55× less error). */
    RANGE_FILLING("range"),
    /** e = max_i ⌊log2 |t_i|⌋, clamped: the rule printed in the paper; only uses codes −2..2. */
    PRINTED("printed");

    private final String id;

    ExponentRule(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static ExponentRule parse(String s) {
        for (ExponentRule r : values()) if (r.id.equalsIgnoreCase(s) || r.name().equalsIgnoreCase(s)) return r;
        throw new IllegalArgumentException("unknown exponent rule '" + s + "' (use range or printed)");
    }
}
