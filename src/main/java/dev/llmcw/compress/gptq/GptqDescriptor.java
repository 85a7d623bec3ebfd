package dev.llmcw.compress.gptq;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.KeptTensors;
import dev.llmcw.compress.MethodArguments;
import dev.llmcw.compress.MethodDescriptor;
import dev.llmcw.compress.MethodParameter;
import dev.llmcw.compress.MethodPreset;
import dev.llmcw.compress.calibration.CalibrationParameters;
import dev.llmcw.compress.quant.GroupQuantParameters;
import dev.llmcw.compress.rtn.GroupQuantFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** GPTQ: RTN's grid with error feedback from calibration statistics; stored like RTN. */
public final class GptqDescriptor implements MethodDescriptor {
    private static final List<MethodParameter> PARAMETERS = parameters(
            MethodParameter.bool("act_order", "Activation order", false, "process columns by decreasing H[i,i]")
                    .asAdvanced(),
            MethodParameter.decimal(
                            "damp",
                            "Damping",
                            Gptq.DEFAULT_DAMP,
                            0,
                            1,
                            "fraction of mean(diag H) added to the diagonal")
                    .asAdvanced());

    private static List<MethodParameter> parameters(MethodParameter... own) {
        var all = new ArrayList<>(GroupQuantParameters.withShared(own));
        all.addAll(CalibrationParameters.ALL);
        return List.copyOf(all);
    }

    @Override
    public String id() {
        return "gptq";
    }

    @Override
    public String displayName() {
        return "GPTQ";
    }

    @Override
    public List<MethodParameter> parameters() {
        return PARAMETERS;
    }

    @Override
    public List<MethodPreset> presets() {
        return GroupQuantParameters.PRESETS;
    }

    @Override
    public GptqMethod create(MethodArguments a) {
        var m = new GptqMethod(
                a.integer("bits"),
                a.integer("group"),
                a.bool("sym"),
                a.bool("act_order"),
                a.decimal("damp"),
                GroupQuantParameters.mseClip(a),
                a.bool("hadamard"),
                CalibrationParameters.spec(id(), a));
        m.keepingTensorsAs(KeptTensors.of(a));
        return m;
    }

    @Override
    public CompressedFormat format() {
        return GroupQuantFormat.GPTQ;
    }

    @Override
    public double bitsPerWeight(MethodArguments a, int rows, int cols) {
        return GroupQuantParameters.bitsPerWeight(a, rows, cols);
    }

    @Override
    public String label(Map<String, String> p) {
        return GroupQuantParameters.label(p);
    }

    @Override
    public int colour() {
        return 0xd62728;
    }
}
