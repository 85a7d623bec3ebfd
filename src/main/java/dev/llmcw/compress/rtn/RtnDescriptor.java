package dev.llmcw.compress.rtn;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.KeptTensors;
import dev.llmcw.compress.MethodArguments;
import dev.llmcw.compress.MethodDescriptor;
import dev.llmcw.compress.MethodParameter;
import dev.llmcw.compress.MethodPreset;
import dev.llmcw.compress.quant.GroupQuantParameters;
import java.util.List;
import java.util.Map;

/** Round-to-nearest on a group-wise grid: data-free, no calibration. */
public final class RtnDescriptor implements MethodDescriptor {
    @Override
    public String id() {
        return "rtn";
    }

    @Override
    public String displayName() {
        return "RTN";
    }

    private static final List<MethodParameter> PARAMETERS = GroupQuantParameters.withShared();

    @Override
    public List<MethodParameter> parameters() {
        return PARAMETERS;
    }

    @Override
    public List<MethodPreset> presets() {
        return GroupQuantParameters.PRESETS;
    }

    @Override
    public RtnMethod create(MethodArguments a) {
        var m = new RtnMethod(
                a.integer("bits"),
                a.integer("group"),
                a.bool("sym"),
                GroupQuantParameters.mseClip(a),
                a.bool("hadamard"));
        m.keepingTensorsAs(KeptTensors.of(a));
        return m;
    }

    @Override
    public CompressedFormat format() {
        return GroupQuantFormat.RTN;
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
        return 0x2ca02c;
    }
}
