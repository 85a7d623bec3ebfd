package dev.llmcw.compress.seedlm;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.KeptTensors;
import dev.llmcw.compress.MethodArguments;
import dev.llmcw.compress.MethodDescriptor;
import dev.llmcw.compress.MethodParameter;
import dev.llmcw.compress.MethodPreset;
import java.util.List;
import java.util.Map;

/**
 * SeedLM's knobs: a bit-width preset ({@code bits}) or an explicit C, P, K; the exponent rule and the
 * per-tensor scale deviation. Without C/P/K and bits the 4-bit preset applies ({@link SeedLmMethod#fromOptions}).
 */
public final class SeedLmDescriptor implements MethodDescriptor {
    /** The SeedLM preset the DEMO workspace selects. */
    public static final String QUICK_4BIT = "4-bit, quick search (C=4, P=1, K=8)";

    private static final SeedLmFormat FORMAT = new SeedLmFormat();

    private static final List<MethodParameter> PARAMETERS = List.of(
            MethodParameter.integer(
                            "bits",
                            "Preset bits",
                            null,
                            3,
                            4,
                            "preset: 4 = (C,P,K) (8,3,16), 3 = (12,4,16); give it or C, P and K (neither: 4)")
                    .notInForm(),
            MethodParameter.integer("C", "Block size C", null, 2, 64, "weights per block")
                    .cli("--C"),
            MethodParameter.integer("P", "Coefficients P", null, 1, 16, "4-bit coefficients per block")
                    .cli("--P"),
            MethodParameter.integer("K", "Seed bits K", null, 2, 20, "LFSR state bits (search cost ∝ 2^K)")
                    .cli("--K"),
            MethodParameter.choice(
                            "exponent_rule",
                            "Exponent rule",
                            ExponentRule.RANGE_FILLING.id(),
                            "range (default: fills the 4-bit code range) or printed (the paper's printed rule)",
                            "range",
                            "printed")
                    .asAdvanced(),
            MethodParameter.bool(
                            "per_tensor_scale",
                            "Per-tensor scale",
                            false,
                            "FP16 scale per tensor (not in the paper; bits counted)")
                    .notInForm(),
            MethodParameter.choice(
                            "layout",
                            "Block layout",
                            SeedLmConfig.FLAT,
                            "flat: blocks over the flattened weight, as in the paper (only a tensor's last block padded); "
                                    + "row: every row padded to whole blocks (older files)",
                            SeedLmConfig.FLAT,
                            SeedLmConfig.ROW)
                    .asAdvanced(),
            KeptTensors.PARAMETER);

    private static final List<MethodPreset> PRESETS = List.of(
            preset(4),
            preset(3),
            // Also (K + 4 + 4P) / C = 4 bits/weight, with a 2^8-seed search instead of 2^16: seconds
            // instead of minutes on small models (the DEMO workspace uses it), at a higher error.
            MethodPreset.of(QUICK_4BIT, "C", "4", "P", "1", "K", "8"));

    /** The {@code bits} preset of {@link SeedLmConfig} as explicit C, P, K: "4-bit (C=8, P=3, K=16)". */
    private static MethodPreset preset(int bits) {
        SeedLmConfig c = SeedLmConfig.preset(bits);
        return MethodPreset.of(
                bits + "-bit (C=" + c.c() + ", P=" + c.p() + ", K=" + c.k() + ")",
                "C",
                Integer.toString(c.c()),
                "P",
                Integer.toString(c.p()),
                "K",
                Integer.toString(c.k()));
    }

    @Override
    public String id() {
        return "seedlm";
    }

    @Override
    public String displayName() {
        return "SeedLM";
    }

    @Override
    public List<MethodParameter> parameters() {
        return PARAMETERS;
    }

    @Override
    public List<MethodPreset> presets() {
        return PRESETS;
    }

    @Override
    public SeedLmMethod create(MethodArguments a) {
        return SeedLmMethod.fromOptions(
                        a.integerOrNull("bits"),
                        a.integerOrNull("C"),
                        a.integerOrNull("P"),
                        a.integerOrNull("K"),
                        a.text("exponent_rule"),
                        a.bool("per_tensor_scale"),
                        a.text("layout"),
                        null)
                .keepingTensorsAs(KeptTensors.of(a));
    }

    @Override
    public CompressedFormat format() {
        return FORMAT;
    }

    @Override
    public double bitsPerWeight(MethodArguments args, int rows, int cols) {
        return 8.0 * SeedLmTensor.payloadBytes(rows, cols, create(args).config()) / ((double) rows * cols);
    }

    @Override
    public String label(Map<String, String> p) {
        return "C" + p.get("C") + " P" + p.get("P") + " K" + p.get("K")
                + (SeedLmConfig.ROW.equals(p.get("layout")) ? " row" : "") + KeptTensors.labelSuffix(p);
    }

    @Override
    public int colour() {
        return 0x1f77b4;
    }
}
