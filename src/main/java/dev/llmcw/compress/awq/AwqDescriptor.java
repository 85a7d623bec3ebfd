package dev.llmcw.compress.awq;

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

/** AWQ (Lin et al. 2023): activation-aware per-channel scales searched on calibration data, then group RTN. */
public final class AwqDescriptor implements MethodDescriptor {
    private static final List<MethodParameter> PARAMETERS = allParameters();

    private static List<MethodParameter> allParameters() {
        var all = new ArrayList<>(List.of(
                MethodParameter.integer("bits", "Bits", 4, 2, 8, "bits per weight before scales"),
                MethodParameter.integer("group", "Group size", 128, 8, 8192, "weights sharing one scale and zero"),
                MethodParameter.integer(
                                "alpha_grid",
                                "Alpha grid",
                                AwqScaleSearch.DEFAULT_GRID,
                                1,
                                1000,
                                "AWQ: scale exponents alpha = 0, 1/n, …, (n−1)/n searched")
                        .asAdvanced(),
                MethodParameter.bool(
                                "auto_clip",
                                "Clip search",
                                true,
                                "AWQ: search each group's clipping range on the calibration activations "
                                        + "(not for q and k, as the official code)")
                        .cli("--auto-clip", "--no-auto-clip")
                        .asAdvanced(),
                KeptTensors.PARAMETER));
        all.addAll(CalibrationParameters.ALL);
        return List.copyOf(all);
    }

    @Override
    public String id() {
        return "awq";
    }

    @Override
    public String displayName() {
        return "AWQ";
    }

    @Override
    public List<MethodParameter> parameters() {
        return PARAMETERS;
    }

    @Override
    public List<MethodPreset> presets() {
        return List.of(
                MethodPreset.of("4-bit, group 128", "bits", "4", "group", "128"),
                MethodPreset.of("3-bit, group 128", "bits", "3", "group", "128"));
    }

    @Override
    public AwqMethod create(MethodArguments a) {
        var m = new AwqMethod(
                a.integer("bits"),
                a.integer("group"),
                a.integer("alpha_grid"),
                a.bool("auto_clip"),
                CalibrationParameters.spec(id(), a));
        m.keepingTensorsAs(KeptTensors.of(a));
        return m;
    }

    @Override
    public CompressedFormat format() {
        return new AwqFormat();
    }

    @Override
    public double bitsPerWeight(MethodArguments a, int rows, int cols) {
        return AwqMethod.bits(rows, cols, a.integer("bits"), a.integer("group")) / ((double) rows * cols);
    }

    /** "4b g128", "3b g64 noclip". */
    @Override
    public String label(Map<String, String> p) {
        return p.get("bits") + "b g" + p.get("group") + ("false".equals(p.get("auto_clip")) ? " noclip" : "")
                + KeptTensors.labelSuffix(p);
    }

    @Override
    public int colour() {
        return 0x9467bd;
    }
}
