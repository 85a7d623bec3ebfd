package dev.llmcw.compress.rtn;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.quant.PackedGroupCodes;
import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.compress.quant.ScalarBlockQuantizer;
import dev.llmcw.compress.quant.WeightRotation;
import dev.llmcw.engine.DenseLinear;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Linear;
import java.util.HashMap;
import java.util.Map;

/**
 * File format of RTN and GPTQ models (same storage: b-bit codes + per-group FP16 scales and b-bit zeros
 * under "N.<method>.codes/.scales/.zeros/.grid", see {@link QuantizerIO}; with the optional Hadamard rotation
 * also "N.<method>.hadamard", see {@link WeightRotation}).
 */
public final class GroupQuantFormat implements CompressedFormat {
    private final String method;

    public GroupQuantFormat(String method) {
        this.method = method;
    }

    public static final GroupQuantFormat RTN = new GroupQuantFormat("rtn");
    public static final GroupQuantFormat GPTQ = new GroupQuantFormat("gptq");

    @Override
    public String method() {
        return method;
    }

    @Override
    public Map<String, Linear> linears(SafetensorsFile file, ModelConfig config, boolean onTheFly) {
        Map<String, Linear> out = new HashMap<>();
        for (String name : WeightNames.blockLinearWeights(config.nLayers())) {
            String prefix = name + "." + method; // entries "N.<method>.<part>" (CompressedModels convention)
            if (!QuantizerIO.present(file, prefix)) continue;
            if (onTheFly && QuantizerIO.scalarBitsOf(file, prefix) <= 8) {
                // codes stay packed as stored: never unpacked to one value per code, not even while loading
                PackedGroupCodes p = QuantizerIO.readPackedScalar(file, prefix);
                Linear q = new GroupQuantLinear(p, method + " " + p.bits() + "-bit");
                WeightRotation rot = WeightRotation.read(file, prefix, p.rows(), p.cols());
                out.put(name, rot == null ? q : new RotatedLinear(q, rot));
                continue;
            }
            var s = QuantizerIO.readScalar(file, prefix);
            // optional Hadamard rotation: the codes are in the rotated domain
            WeightRotation rot =
                    WeightRotation.read(file, prefix, s.grid().rows(), s.grid().cols());
            double[] w = ScalarBlockQuantizer.decode(s.grid(), s.codes());
            if (rot != null) rot.unrotate(w);
            float[] f = new float[w.length];
            for (int i = 0; i < w.length; i++) f[i] = (float) w[i];
            out.put(
                    name,
                    new DenseLinear(F32Tensor.of(f, s.grid().rows(), s.grid().cols())));
        }
        return out;
    }
}
