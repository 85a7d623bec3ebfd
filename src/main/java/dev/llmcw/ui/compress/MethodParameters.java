package dev.llmcw.ui.compress;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The knobs the Compress view offers per method, with ranges for validation and the bit-width
 * presets. Keys are the parameter names the compression methods take (CompressionMethod.parameters()).
 */
public final class MethodParameters {
    private MethodParameters() {}

    /** One knob. {@code file} knobs take a path (calibration text); {@code advanced} ones hide behind a toggle. */
    public record Spec(String key, String label, String defaultValue, double min, double max, boolean integer,
                       boolean file, boolean advanced, String help, List<String> options) {
        /** Null when valid, else a message naming the knob. */
        public String validate(String value) {
            if (value == null || value.isBlank()) return file ? null : label + " is required";
            if (!options.isEmpty()) return options.contains(value.trim()) ? null : label + " must be one of " + String.join(", ", options);
            if (file) return java.nio.file.Files.isRegularFile(java.nio.file.Path.of(value)) ? null : label + ": no such file " + value;
            try {
                double v = integer ? Long.parseLong(value.trim()) : Double.parseDouble(value.trim());
                if (v < min || v > max) return label + " must be between " + fmt(min) + " and " + fmt(max);
                return null;
            } catch (NumberFormatException e) {
                return label + " must be " + (integer ? "a whole number" : "a number") + ", not '" + value + "'";
            }
        }

        private static String fmt(double d) { return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d); }
    }

    /** The SeedLM preset the DEMO workspace selects. */
    public static final String QUICK_SEEDLM_4BIT = "4-bit, quick search (C=4, P=1, K=8)";

    /** A named bit-width setting ("4-bit (C=8, P=3, K=16)"). */
    public record Preset(String label, Map<String, String> values) {
        @Override
        public String toString() { return label; }
    }

    private static Spec n(String key, String label, String def, double min, double max, boolean adv, String help) {
        return new Spec(key, label, def, min, max, true, false, adv, help, List.of());
    }

    private static Spec choice(String key, String label, String def, String help, String... options) {
        return new Spec(key, label, def, 0, 0, false, false, true, help, List.of(options));
    }

    private static Spec file(String key, String label, String help) {
        return new Spec(key, label, "", 0, 0, false, true, true, help, List.of());
    }

    public static List<Spec> specs(String method) {
        return switch (method) {
            case "seedlm" -> List.of(
                    n("C", "Block size C", "8", 2, 64, true, "weights per block"),
                    n("P", "Coefficients P", "3", 1, 16, true, "4-bit coefficients per block"),
                    n("K", "Seed bits K", "16", 2, 20, true, "LFSR state bits (search cost ∝ 2^K)"),
                    new Spec("exponent_rule", "Exponent rule", "range", 0, 0, false, false, true,
                            "range (default: fills the 4-bit code range) or printed (the paper's printed rule)", List.of("range", "printed")));
            case "caldera" -> List.of(
                    n("rank", "Rank k", "64", 0, 4096, false, "rank of the low-rank factors L·R (0 = plain LDLQ)"),
                    n("q_bits", "Q bits", "2", 1, 8, false, "bits of the backbone Q"),
                    n("lr_bits", "Factor bits", "4", 2, 32, false, "bits of L and R (2..8; 16 = BF16, 32 = F32)"),
                    n("outer_iters", "Outer iterations", "20", 1, 100, true, "alternations of the LR step and the Q step"),
                    n("inner_iters", "LPLR iterations", "50", 0, 500, true, "refinements of the quantised factors"),
                    choice("quantizer", "Quantizer", "scalar", "scalar grid or e8p (QuIP# E8P12 lattice, Q bits 2)", "scalar", "e8p"),
                    file("calib", "Calibration file", "text for the activation statistics (default: TinyStories sample)"),
                    n("calib_seqs", "Calibration sequences", "128", 1, 4096, true, "sequences N"),
                    n("calib_len", "Calibration length", "512", 8, 8192, true, "tokens per sequence L"));
            case "rtn" -> List.of(
                    n("bits", "Bits", "4", 2, 8, false, "bits per weight before scales"),
                    n("group", "Group size", "128", 8, 8192, false, "weights sharing one scale and zero"),
                    choice("sym", "Symmetric", "false", "symmetric grid (true) or asymmetric with zero point (false)", "false", "true"));
            case "gptq" -> List.of(
                    n("bits", "Bits", "4", 2, 8, false, "bits per weight before scales"),
                    n("group", "Group size", "128", 8, 8192, false, "weights sharing one scale and zero"),
                    choice("sym", "Symmetric", "false", "symmetric grid (true) or asymmetric with zero point (false)", "false", "true"),
                    choice("act_order", "Activation order", "false", "process columns by decreasing H[i,i]", "false", "true"),
                    new Spec("damp", "Damping", "0.01", 0, 1, false, false, true, "fraction of mean(diag H) added to the diagonal", List.of()),
                    file("calib", "Calibration file", "text for the activation statistics (default: TinyStories sample)"),
                    n("calib_seqs", "Calibration sequences", "128", 1, 4096, true, "sequences N"),
                    n("calib_len", "Calibration length", "512", 8, 8192, true, "tokens per sequence L"));
            default -> List.of();
        };
    }

    public static List<Preset> presets(String method) {
        return switch (method) {
            case "seedlm" -> List.of(
                    new Preset("4-bit (C=8, P=3, K=16)", ordered("C", "8", "P", "3", "K", "16")),
                    new Preset("3-bit (C=12, P=4, K=16)", ordered("C", "12", "P", "4", "K", "16")),
                    // Also (K + 4 + 4P) / C = 4 bits/weight, with a 2^8-seed search instead of 2^16: seconds
                    // instead of minutes on small models (the DEMO workspace uses it), at a higher error.
                    new Preset(QUICK_SEEDLM_4BIT, ordered("C", "4", "P", "1", "K", "8")));
            case "caldera" -> List.of(
                    new Preset("Q 2-bit, rank 64, factors 4-bit", ordered("rank", "64", "q_bits", "2", "lr_bits", "4")),
                    new Preset("Q 2-bit, rank 128, factors 4-bit", ordered("rank", "128", "q_bits", "2", "lr_bits", "4")),
                    new Preset("Q 2-bit, rank 256, factors 4-bit", ordered("rank", "256", "q_bits", "2", "lr_bits", "4")));
            case "rtn", "gptq" -> List.of(
                    new Preset("4-bit, group 128", ordered("bits", "4", "group", "128")),
                    new Preset("3-bit, group 128", ordered("bits", "3", "group", "128")),
                    new Preset("2-bit, group 64", ordered("bits", "2", "group", "64")));
            default -> List.of();
        };
    }

    private static Map<String, String> ordered(String... kv) {
        var m = new LinkedHashMap<String, String>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }
}
