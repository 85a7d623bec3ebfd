package dev.llmcw.compress.caldera;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.KeptTensors;
import dev.llmcw.compress.MethodArguments;
import dev.llmcw.compress.MethodDescriptor;
import dev.llmcw.compress.MethodParameter;
import dev.llmcw.compress.MethodPreset;
import dev.llmcw.compress.calibration.CalibrationParameters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CALDERA's knobs with the official defaults (algorithms.md §2): Q 2-bit, factors 4-bit, rank 64, 20 outer
 * and 50 inner iterations, Hadamard on, scalar grids, seed 24301 (0x5eed); plus the shared calibration knobs.
 */
public final class CalderaDescriptor implements MethodDescriptor {
    private static final List<MethodParameter> PARAMETERS = parameters(
            MethodParameter.integer("rank", "Rank k", 64, 0, 4096, "rank of the low-rank factors L·R (0 = plain LDLQ)"),
            MethodParameter.integer("q_bits", "Q bits", 2, 1, 8, "bits of the backbone Q (e8p: 2)"),
            MethodParameter.integer(
                    "lr_bits", "Factor bits", 4, 2, 32, "bits of L and R (2..8; e8p: 2 or 4; 16 = BF16, 32 = F32)"),
            MethodParameter.integer(
                            "outer_iters", "Outer iterations", 20, 1, 100, "alternations of the LR step and the Q step")
                    .asAdvanced(),
            MethodParameter.integer(
                            "inner_iters", "LPLR iterations", 50, 0, 500, "refinements of the quantised factors")
                    .asAdvanced(),
            MethodParameter.bool(
                            "hadamard", "Hadamard", true, "randomised Hadamard incoherence (--no-hadamard skips it)")
                    .cli("--no-hadamard")
                    .notInForm(),
            MethodParameter.choice(
                            "quantizer",
                            "Quantizer",
                            "scalar",
                            "scalar grid or e8p (QuIP# E8P12 lattice, Q bits 2)",
                            "scalar",
                            "e8p")
                    .asAdvanced(),
            MethodParameter.integer(
                            "seed",
                            "Seed",
                            0x5eed,
                            Long.MIN_VALUE,
                            Long.MAX_VALUE,
                            "seed of the Hadamard transforms and randomised SVD probes")
                    .notInForm(),
            MethodParameter.bool("exact_svd", "Exact SVD", false, "full SVD in the LR step (default: randomised top-k)")
                    .notInForm(),
            MethodParameter.choice(
                            "lr_grid",
                            "Factor grids",
                            CalderaOptions.ROW,
                            "scale and zero of the scalar factor grids per row "
                                    + "(official), per group of lr_group weights of a row, or one per factor (tensor)",
                            CalderaOptions.ROW,
                            CalderaOptions.GROUP,
                            CalderaOptions.TENSOR)
                    .asAdvanced(),
            MethodParameter.integer(
                            "lr_group",
                            "Factor group size",
                            64,
                            1,
                            65536,
                            "weights of a factor row sharing a scale and zero " + "(lr_grid group)")
                    .asAdvanced(),
            MethodParameter.bool(
                            "hessian_downdate",
                            "Hessian downdate",
                            false,
                            "before each Q step, remove from H the directions L·R already covers "
                                    + "(official Q_hessian_downdate; off by default as in the official code)")
                    .asAdvanced(),
            MethodParameter.choice(
                            "update_order",
                            "Update order",
                            CalderaOptions.LR_FIRST,
                            "which step each outer iteration starts with: the low-rank factors "
                                    + "(lr_first, official) or the quantised backbone Q (q_first)",
                            CalderaOptions.LR_FIRST,
                            CalderaOptions.Q_FIRST)
                    .asAdvanced(),
            MethodParameter.integer(
                            "ft_rank",
                            "Adapted rank",
                            0,
                            0,
                            4096,
                            "leading components of L·R kept in BF16 for fine-tuning (0 = none; see finetune)")
                    .asAdvanced());

    private static final List<MethodPreset> PRESETS = List.of(
            MethodPreset.of("Q 2-bit, rank 64, factors 4-bit", "rank", "64", "q_bits", "2", "lr_bits", "4"),
            MethodPreset.of("Q 2-bit, rank 128, factors 4-bit", "rank", "128", "q_bits", "2", "lr_bits", "4"),
            MethodPreset.of("Q 2-bit, rank 256, factors 4-bit", "rank", "256", "q_bits", "2", "lr_bits", "4"),
            official(64));

    /** The label of {@link #official}'s preset starts with this. */
    public static final String OFFICIAL = "Official recipe";

    /**
     * The official code's run script ({@code shell_scripts/run_quantize_save_caldera.sh} of pilancilab/caldera):
     * E8P12 Q, E8P12-RVQ 4-bit factors, 20 outer and 50 LPLR iterations, Hadamard on, full SVD
     * ({@code rand_svd false}), {@code update_order LR Q}, {@code Q_hessian_downdate true}. Its slow part next
     * to the fast default presets is the exact SVD and the per-iteration LDL of the downdated H.
     */
    public static MethodPreset official(int rank) {
        return MethodPreset.of(
                OFFICIAL + ": E8P Q 2-bit, rank " + rank + ", E8P factors 4-bit, 20/50 iterations, Hessian downdate",
                "rank",
                Integer.toString(rank),
                "q_bits",
                "2",
                "lr_bits",
                "4",
                "quantizer",
                "e8p",
                "outer_iters",
                "20",
                "inner_iters",
                "50",
                "hadamard",
                "true",
                "exact_svd",
                "true",
                "lr_grid",
                CalderaOptions.ROW,
                "hessian_downdate",
                "true",
                "update_order",
                CalderaOptions.LR_FIRST);
    }

    private static List<MethodParameter> parameters(MethodParameter... own) {
        var all = new ArrayList<>(List.of(own));
        all.add(KeptTensors.PARAMETER);
        all.addAll(CalibrationParameters.ALL);
        return List.copyOf(all);
    }

    @Override
    public String id() {
        return "caldera";
    }

    @Override
    public String displayName() {
        return "CALDERA";
    }

    @Override
    public List<MethodParameter> parameters() {
        return PARAMETERS;
    }

    @Override
    public List<MethodPreset> presets() {
        return PRESETS;
    }

    /**
     * CALDERA options from parameters by name, this descriptor's defaults for the rest (benches that set
     * some knobs themselves); validated like a suite's.
     */
    public static CalderaOptions options(Map<String, String> params) {
        return options(new CalderaDescriptor().arguments(params, Path.of(""), null));
    }

    /** The options the arguments describe (defaults for knobs not given). */
    public static CalderaOptions options(MethodArguments a) {
        return new CalderaOptions(
                a.integer("q_bits"),
                a.integer("lr_bits"),
                a.integer("rank"),
                a.integer("outer_iters"),
                a.integer("inner_iters"),
                a.bool("hadamard"),
                a.text("quantizer"),
                a.longValue("seed"),
                a.bool("exact_svd"),
                a.text("lr_grid").toLowerCase(Locale.ROOT),
                a.integer("lr_group"),
                a.bool("hessian_downdate"),
                a.text("update_order").toLowerCase(Locale.ROOT));
    }

    @Override
    public CalderaMethod create(MethodArguments a) {
        var m = new CalderaMethod(options(a), CalibrationParameters.spec(id(), a)).withFtRank(a.integer("ft_rank"));
        m.keepingTensorsAs(KeptTensors.of(a));
        return m;
    }

    @Override
    public CompressedFormat format() {
        return CalderaFormat.INSTANCE;
    }

    @Override
    public double bitsPerWeight(MethodArguments a, int rows, int cols) {
        return new CalderaMethod(options(a), null)
                        .withFtRank(a.integer("ft_rank"))
                        .tensorBits(rows, cols)
                / ((double) rows * cols);
    }

    @Override
    public String label(Map<String, String> p) {
        return "Q" + p.get("q_bits") + " r" + p.get("rank") + " LR" + p.get("lr_bits") + " " + p.get("quantizer")
                + (p.containsKey("lr_grid")
                        ? " LR/" + p.get("lr_grid") + (p.containsKey("lr_group") ? p.get("lr_group") : "")
                        : "")
                + (p.containsKey("hessian_downdate") ? " downdate" : "")
                + (p.containsKey("update_order") ? " " + p.get("update_order") : "")
                + (p.containsKey("ft_rank") && !"0".equals(p.get("ft_rank")) ? " ft" + p.get("ft_rank") : "")
                + KeptTensors.labelSuffix(p);
    }

    @Override
    public int colour() {
        return 0xff7f0e;
    }
}
