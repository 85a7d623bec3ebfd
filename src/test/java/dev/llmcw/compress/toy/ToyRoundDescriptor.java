package dev.llmcw.compress.toy;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.MethodArguments;
import dev.llmcw.compress.MethodDescriptor;
import dev.llmcw.compress.MethodParameter;
import dev.llmcw.engine.DenseLinear;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.Linear;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The whole of the toy method's registration: one knob, a factory and the reader of its files. */
public final class ToyRoundDescriptor implements MethodDescriptor {
    public static final String ID = "toyround";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Toy rounding";
    }

    @Override
    public List<MethodParameter> parameters() {
        return List.of(MethodParameter.decimal(
                "step", "Rounding step", 0.05, 1e-6, 1, "weights are rounded to multiples of this"));
    }

    @Override
    public ToyRoundMethod create(MethodArguments args) {
        return new ToyRoundMethod(args.decimal("step"));
    }

    @Override
    public CompressedFormat format() {
        return new CompressedFormat() {
            @Override
            public String method() {
                return ID;
            }

            @Override
            public Map<String, Linear> linears(SafetensorsFile file, ModelConfig config, boolean onTheFly) {
                Map<String, Linear> out = new LinkedHashMap<>();
                for (String name : WeightNames.blockLinearWeights(config.nLayers()))
                    if (file.entries().containsKey(name + ToyRoundMethod.PART))
                        out.put(name, new DenseLinear(file.tensor(name + ToyRoundMethod.PART)));
                return out;
            }
        };
    }

    @Override
    public double bitsPerWeight(MethodArguments args, int rows, int cols) {
        return 32;
    }
}
