package dev.llmcw.compress.kquant;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.gguf.GgmlType;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * File format of kquant models: weight N is stored as "N.kquant.blocks" (U8, rows × bytes per row, the ggml
 * blocks exactly as in a GGUF file) and "N.kquant.type" (I32, the ggml_type number). The weights come back
 * as block tensors of that type, which the engine multiplies in place as it does a llama.cpp GGUF's, and
 * which export-gguf copies unchanged.
 */
public final class KQuantFormat implements CompressedFormat {
    static final KQuantFormat INSTANCE = new KQuantFormat();
    static final String BLOCKS = "." + KQuantMethod.NAME + ".blocks";
    static final String TYPE = "." + KQuantMethod.NAME + ".type";

    private KQuantFormat() {}

    @Override
    public String method() {
        return KQuantMethod.NAME;
    }

    /** Its weights are ggml block tensors, multiplied as stored: there is no decoded form to choose. */
    @Override
    public boolean runsOnTheFlyByDefault() {
        return false;
    }

    @Override
    public Map<String, Linear> linears(SafetensorsFile file, ModelConfig config, boolean onTheFly) {
        return Map.of();
    }

    @Override
    public Map<String, Tensor> storedWeights(SafetensorsFile file, ModelConfig config) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : WeightNames.blockLinearWeights(config.nLayers())) {
            if (!file.has(name + BLOCKS)) continue;
            if (!file.has(name + TYPE)) throw new IllegalArgumentException(name + TYPE + " is missing");
            int ggml = file.ints(name + TYPE)[0];
            DType type = GgmlType.toDType(ggml);
            if (type == null || type == DType.BF16 || type == DType.F32) {
                throw new IllegalArgumentException(
                        name + TYPE + " names ggml type " + GgmlType.name(ggml) + ", which kquant does not store");
            }
            var e = file.entry(name + BLOCKS);
            long rows = e.shape()[0], cols = e.shape()[1] / type.blockBytes() * type.blockSize();
            if (e.shape().length != 2 || type.bytesFor(rows * cols) != e.byteSize()) {
                throw new IllegalArgumentException(
                        name + BLOCKS + " holds " + e.byteSize() + " bytes, not whole " + type + " rows");
            }
            out.put(name, Tensors.wrap(type, new long[] {rows, cols}, file.bytes(name + BLOCKS)));
        }
        return out;
    }
}
