package dev.llmcw.compress.seedlm;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One SeedLM setting: block length C, coefficients per block P, LFSR width K, exponent rule and the optional
 * per-tensor FP16 scale. Stored per block: K-bit seed, 4-bit exponent, P 4-bit codes → (K + 4 + 4P) / C bits per weight.
 *
 * @param perTensorScale divide each tensor by an FP16 scale (its max |w|) before the search. NOT in the paper
 *                       (algorithms.md §1): a documented deviation against blocks stuck at e = −8; off by default;
 *                       its 16 bits per tensor are counted.
 * @param flat           blocks of C consecutive weights of the flattened (row-major) tensor, as in the paper, so
 *                       only a tensor's last block is padded; false: the older per-row layout (every row padded
 *                       to whole blocks), which files without a recorded layout use
 */
public record SeedLmConfig(int c, int p, int k, ExponentRule exponentRule, boolean perTensorScale, boolean flat) {
    public static final SeedLmConfig BITS4 = new SeedLmConfig(8, 3, 16, ExponentRule.RANGE_FILLING, false, true);
    public static final SeedLmConfig BITS3 = new SeedLmConfig(12, 4, 16, ExponentRule.RANGE_FILLING, false, true);

    /** Layout names as recorded in parameters ("layout"). */
    public static final String FLAT = "flat", ROW = "row";

    /** The per-row layout (files and callers from before the flat layout). */
    public SeedLmConfig(int c, int p, int k, ExponentRule exponentRule, boolean perTensorScale) {
        this(c, p, k, exponentRule, perTensorScale, false);
    }

    public SeedLmConfig {
        Lfsr.checkK(k);
        if (c < 1 || c > 64) throw new IllegalArgumentException("block length C must be in [1, 64], got " + c);
        if (p < 1 || p > Math.min(c, 7))
            throw new IllegalArgumentException("coefficients P must be in [1, min(C, 7)], got " + p + " with C=" + c);
        if (exponentRule == null) throw new IllegalArgumentException("exponent rule missing");
    }

    public static SeedLmConfig preset(int bits) {
        return switch (bits) {
            case 4 -> BITS4;
            case 3 -> BITS3;
            default ->
                throw new IllegalArgumentException(
                        "SeedLM presets exist for 4 and 3 bits, not " + bits + " (give C, P, K instead)");
        };
    }

    public SeedLmConfig withRule(ExponentRule r) {
        return new SeedLmConfig(c, p, k, r, perTensorScale, flat);
    }

    public SeedLmConfig withScale(boolean s) {
        return new SeedLmConfig(c, p, k, exponentRule, s, flat);
    }

    public SeedLmConfig withFlat(boolean f) {
        return new SeedLmConfig(c, p, k, exponentRule, perTensorScale, f);
    }

    /** "flat" or "row". */
    public String layout() {
        return flat ? FLAT : ROW;
    }

    /** "flat" → true, "row" → false; one sentence otherwise. */
    public static boolean parseLayout(String s) {
        if (FLAT.equalsIgnoreCase(s)) return true;
        if (ROW.equalsIgnoreCase(s)) return false;
        throw new IllegalArgumentException("SeedLM layout must be flat or row, not '" + s + "'");
    }

    public int bitsPerBlock() {
        return k + 4 + 4 * p;
    }

    /** Nominal bits per weight (K + 4 + 4P) / C, ignoring padding and per-tensor scales. */
    public double bitsPerWeight() {
        return (double) bitsPerBlock() / c;
    }

    /** Parameters as recorded with results and in the file metadata. */
    public Map<String, Object> params() {
        var m = new LinkedHashMap<String, Object>();
        m.put("C", c);
        m.put("P", p);
        m.put("K", k);
        m.put("exponent_rule", exponentRule.id());
        m.put("per_tensor_scale", perTensorScale);
        m.put("layout", layout());
        return m;
    }

    /** From recorded parameters; files written before the flat layout record none and are per-row. */
    public static SeedLmConfig fromParams(Map<String, ?> m) {
        try {
            return new SeedLmConfig(
                    ((Number) m.get("C")).intValue(),
                    ((Number) m.get("P")).intValue(),
                    ((Number) m.get("K")).intValue(),
                    ExponentRule.parse(String.valueOf(m.get("exponent_rule"))),
                    Boolean.TRUE.equals(m.get("per_tensor_scale")),
                    m.containsKey("layout") && parseLayout(String.valueOf(m.get("layout"))));
        } catch (NullPointerException | ClassCastException e) {
            throw new IllegalArgumentException("SeedLM params need C, P, K, exponent_rule, per_tensor_scale: " + m);
        }
    }

    @Override
    public String toString() {
        return "C=" + c + " P=" + p + " K=" + k + " exponent=" + exponentRule.id() + (perTensorScale ? " +scale" : "")
                + (flat ? " layout=flat" : "");
    }
}
