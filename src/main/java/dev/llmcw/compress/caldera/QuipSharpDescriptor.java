package dev.llmcw.compress.caldera;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.KeptTensors;
import dev.llmcw.compress.MethodArguments;
import dev.llmcw.compress.MethodDescriptor;
import dev.llmcw.compress.MethodParameter;
import dev.llmcw.compress.MethodPreset;
import dev.llmcw.compress.calibration.CalibrationParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * QuIP# (Tseng et al., arXiv 2402.04396) without its fine-tuning: randomised Hadamard incoherence, the E8P12
 * lattice and LDLQ on the calibration Hessian, which is CALDERA at rank 0 with the lattice quantizer. A method
 * of its own (not a CALDERA preset) so that files, results, chart series and legends say "QuIP#" as the
 * papers' tables do, with its own colour; the work is CALDERA's ({@link QuipSharpMethod}).
 */
public final class QuipSharpDescriptor implements MethodDescriptor {
    public static final String ID = "quip-sharp";

    private static final List<MethodParameter> PARAMETERS = parameters(
            MethodParameter.integer(
                    "bits",
                    "Bits",
                    2,
                    2,
                    2,
                    "bits per weight of the E8P lattice codes (2 = E8P12; QuIP#'s 3- and 4-bit RVQ codebooks are "
                            + "not implemented)"),
            MethodParameter.integer(
                            "seed",
                            "Seed",
                            0x5eed,
                            Long.MIN_VALUE,
                            Long.MAX_VALUE,
                            "seed of the Hadamard transforms and randomised SVD probes")
                    .notInForm());

    private static final List<MethodPreset> PRESETS = List.of(MethodPreset.of("QuIP# 2-bit (E8P12)", "bits", "2"));

    private static List<MethodParameter> parameters(MethodParameter... own) {
        var all = new ArrayList<>(List.of(own));
        all.add(KeptTensors.PARAMETER);
        all.addAll(CalibrationParameters.ALL);
        return List.copyOf(all);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "QuIP#";
    }

    @Override
    public List<MethodParameter> parameters() {
        return PARAMETERS;
    }

    @Override
    public List<MethodPreset> presets() {
        return PRESETS;
    }

    /** The CALDERA setting QuIP# is: rank 0, 2-bit E8P12 Q, Hadamard on, one LDLQ pass. */
    public static CalderaOptions options(MethodArguments a) {
        return options(a.longValue("seed"));
    }

    /** As {@link #options(MethodArguments)} for a seed (the factor knobs are unused at rank 0). */
    public static CalderaOptions options(long seed) {
        return new CalderaOptions(
                2, 4, 0, 1, 0, true, "e8p", seed, false, CalderaOptions.ROW, 0, false, CalderaOptions.LR_FIRST);
    }

    @Override
    public QuipSharpMethod create(MethodArguments a) {
        var m = new QuipSharpMethod(options(a), CalibrationParameters.spec(id(), a));
        m.keepingTensorsAs(KeptTensors.of(a));
        return m;
    }

    @Override
    public CompressedFormat format() {
        return CalderaFormat.QUIP_SHARP;
    }

    @Override
    public double bitsPerWeight(MethodArguments a, int rows, int cols) {
        return new QuipSharpMethod(options(a), null).tensorBits(rows, cols) / ((double) rows * cols);
    }

    /** "QuIP# 2-bit", as the papers' tables write it. */
    @Override
    public String label(Map<String, String> p) {
        return "QuIP# " + p.getOrDefault("bits", "2") + "-bit" + KeptTensors.labelSuffix(p);
    }

    @Override
    public int colour() {
        return 0x17becf;
    }
}
