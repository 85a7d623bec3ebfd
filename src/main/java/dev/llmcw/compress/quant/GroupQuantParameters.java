package dev.llmcw.compress.quant;

import dev.llmcw.compress.KeptTensors;
import dev.llmcw.compress.MethodArguments;
import dev.llmcw.compress.MethodParameter;
import dev.llmcw.compress.MethodPreset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The group-wise grid knobs RTN and GPTQ share (bits, group size, symmetry), their presets and label. */
public final class GroupQuantParameters {
    private GroupQuantParameters() {}

    public static final List<MethodParameter> GRID = List.of(
            MethodParameter.integer("bits", "Bits", 4, 2, 8, "bits per weight before scales"),
            MethodParameter.integer("group", "Group size", 128, 8, 8192, "weights sharing one scale and zero"),
            MethodParameter.bool(
                            "sym", "Symmetric", false, "symmetric grid (true) or asymmetric with zero point (false)")
                    .asAdvanced(),
            MethodParameter.choice(
                            "clip",
                            "Clipping",
                            "none",
                            "none: min–max grid; mse: each group's range shrunk by the factor "
                                    + "in {1, 0.975, …, 0.525} of least squared error (CALDERA's grid)",
                            "none",
                            "mse")
                    .asAdvanced(),
            MethodParameter.bool(
                            "hadamard",
                            "Hadamard",
                            false,
                            "randomised Hadamard rotation of the weights (CALDERA's "
                                    + "incoherence step), undone in the layer; seed 0x5eed stored per tensor")
                    .asAdvanced());

    /** Whether the arguments ask for MSE clipping. */
    public static boolean mseClip(MethodArguments a) {
        return "mse".equalsIgnoreCase(a.text("clip"));
    }

    /** The grid knobs, then {@code own} (a method's), then the kept-tensor policy every method shares. */
    public static List<MethodParameter> withShared(MethodParameter... own) {
        var all = new ArrayList<>(GRID);
        all.addAll(List.of(own));
        all.add(KeptTensors.PARAMETER);
        return List.copyOf(all);
    }

    public static final List<MethodPreset> PRESETS = List.of(
            MethodPreset.of("4-bit, group 128", "bits", "4", "group", "128"),
            MethodPreset.of("3-bit, group 128", "bits", "3", "group", "128"),
            MethodPreset.of("2-bit, group 64", "bits", "2", "group", "64"));

    /** Stored bits per weight of a {@code rows × cols} tensor on the grid the arguments describe. */
    public static double bitsPerWeight(MethodArguments a, int rows, int cols) {
        return QuantizerIO.scalarBits(rows, cols, a.integer("bits"), a.integer("group"), a.bool("sym"))
                / ((double) rows * cols);
    }

    /** "4b g128". */
    public static String label(Map<String, String> p) {
        return p.get("bits") + "b g" + p.get("group") + ("mse".equals(p.get("clip")) ? " mse" : "")
                + ("true".equals(p.get("hadamard")) ? " had" : "") + KeptTensors.labelSuffix(p);
    }
}
