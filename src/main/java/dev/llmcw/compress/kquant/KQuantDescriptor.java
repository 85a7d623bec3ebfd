package dev.llmcw.compress.kquant;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.KeptTensors;
import dev.llmcw.compress.MethodArguments;
import dev.llmcw.compress.MethodDescriptor;
import dev.llmcw.compress.MethodParameter;
import dev.llmcw.compress.MethodPreset;
import dev.llmcw.compress.calibration.CalibrationParameters;
import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.model.gguf.KQuantMix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * llama.cpp's quantization types (K-quants Q2_K…Q6_K and their _S/_M/_L mixes, Q4_0…Q8_0, IQ4_NL) as a
 * method: blocks byte-identical to llama-quantize's, optionally with importance weights from the workbench's
 * calibration pass (the diagonal of E[xxᵀ] is llama.cpp's imatrix).
 */
public final class KQuantDescriptor implements MethodDescriptor {
    private static final List<MethodParameter> PARAMETERS = buildParameters();

    private static List<MethodParameter> buildParameters() {
        var all = new ArrayList<MethodParameter>();
        all.add(MethodParameter.choice(
                "type",
                "Type",
                KQuantMix.Q4_K_M.name(),
                "llama-quantize type: the mix's base block type, raised per tensor as llama.cpp does",
                Arrays.stream(KQuantMix.values()).map(Enum::name).toArray(String[]::new)));
        all.add(MethodParameter.bool(
                        "pure", "Pure", false, "every block linear gets the base type (llama-quantize --pure)")
                .asAdvanced());
        all.add(KeptTensors.PARAMETER);
        // calibration is optional: with calib the importance-matrix quantizers run, as with --imatrix
        all.addAll(CalibrationParameters.ALL);
        return List.copyOf(all);
    }

    @Override
    public String id() {
        return KQuantMethod.NAME;
    }

    @Override
    public String displayName() {
        return "llama.cpp K-quants";
    }

    @Override
    public List<MethodParameter> parameters() {
        return PARAMETERS;
    }

    @Override
    public List<MethodPreset> presets() {
        return List.of(
                MethodPreset.of("Q4_K_M", "type", "Q4_K_M"),
                MethodPreset.of("Q3_K_M", "type", "Q3_K_M"),
                MethodPreset.of("Q2_K", "type", "Q2_K"),
                MethodPreset.of("Q5_K_M", "type", "Q5_K_M"),
                MethodPreset.of("Q6_K", "type", "Q6_K"));
    }

    /** Calibration text is optional (it turns the importance matrix on), so no --calib is demanded. */
    @Override
    public boolean needsCalibration() {
        return false;
    }

    @Override
    public KQuantMethod create(MethodArguments a) {
        CalibrationSpec imatrix = a.file("calib") != null ? CalibrationParameters.spec(id(), a) : null;
        var m = new KQuantMethod(KQuantMix.parse(a.text("type")), a.bool("pure"), imatrix);
        m.keepingTensorsAs(KeptTensors.of(a));
        return m;
    }

    @Override
    public CompressedFormat format() {
        return KQuantFormat.INSTANCE;
    }

    /** The base type's bits (after llama.cpp's fallback for rows that are not whole blocks). */
    @Override
    public double bitsPerWeight(MethodArguments a, int rows, int cols) {
        return KQuantMethod.fallback(KQuantMix.parse(a.text("type")).base, cols).bitsPerWeight();
    }

    @Override
    public String label(Map<String, String> p) {
        return p.get("type")
                + ("true".equals(p.get("pure")) ? " pure" : "")
                + (p.containsKey("calibration") ? " imatrix" : "")
                + KeptTensors.labelSuffix(p);
    }

    @Override
    public int colour() {
        return 0x8c564b;
    }
}
