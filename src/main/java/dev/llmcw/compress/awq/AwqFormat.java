package dev.llmcw.compress.awq;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.compress.quant.ScalarBlockQuantizer;
import dev.llmcw.compress.rtn.GroupQuantLinear;
import dev.llmcw.engine.DenseLinear;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Linear;
import dev.llmcw.util.ModelLoadException;
import java.util.HashMap;
import java.util.Map;

/**
 * File format of AWQ models: RTN's group grid of W·diag(s) under "N.awq.codes/.scales/.zeros/.grid"
 * ({@link QuantizerIO}) and s under "N.awq.input_scales" (FP16, one per input column). The layer computes
 * Q(W·diag(s))·(x/s).
 */
public final class AwqFormat implements CompressedFormat {
    @Override
    public String method() {
        return "awq";
    }

    @Override
    public Map<String, Linear> linears(SafetensorsFile file, ModelConfig config, boolean onTheFly) {
        Map<String, Linear> out = new HashMap<>();
        for (String name : WeightNames.blockLinearWeights(config.nLayers())) {
            String prefix = name + ".awq";
            if (!QuantizerIO.present(file, prefix)) continue;
            var q = QuantizerIO.readScalar(file, prefix);
            int rows = q.grid().rows(), cols = q.grid().cols();
            float[] s = inputScales(file, prefix + AwqMethod.INPUT_SCALES, cols);
            if (onTheFly && q.grid().bits() <= 8) {
                var inner = new GroupQuantLinear(
                        q.grid(), q.codes(), "awq " + q.grid().bits() + "-bit");
                out.put(name, new AwqLinear(inner, s));
            } else {
                double[] w = ScalarBlockQuantizer.decode(q.grid(), q.codes());
                float[] f = new float[w.length];
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++) f[r * cols + c] = (float) (w[r * cols + c] / s[c]);
                out.put(name, new DenseLinear(F32Tensor.of(f, rows, cols)));
            }
        }
        return out;
    }

    private static float[] inputScales(SafetensorsFile file, String entry, int cols) {
        if (!file.has(entry)) throw new ModelLoadException(file.path(), entry + " is missing (AWQ input scales)");
        float[] s = file.tensor(entry).toFloatArray();
        if (s.length != cols)
            throw new ModelLoadException(file.path(), entry + " has " + s.length + " values, expected " + cols);
        for (int c = 0; c < cols; c++) {
            if (!(s[c] > 0) || !Float.isFinite(s[c]))
                throw new ModelLoadException(
                        file.path(), entry + " holds " + s[c] + " at column " + c + "; input scales must be positive");
        }
        return s;
    }
}
