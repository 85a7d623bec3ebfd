package dev.llmcw.compress;

import dev.llmcw.model.CompressedModelFiles;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;
import java.util.Map;

/**
 * Reads one method's compressed tensors back into linear layers. Compressed model files are
 * safetensors whose "__metadata__" has {@link #KEY_METHOD}; {@code ModelLoader} picks the format by
 * that key. Kept (uncompressed) tensors are stored under their canonical names as BF16/F16/F32.
 */
public interface CompressedFormat {
    String KEY_METHOD = CompressedModelFiles.KEY_METHOD;
    String KEY_PARAMS = CompressedModelFiles.KEY_PARAMS;
    String KEY_CONFIG = CompressedModelFiles.KEY_CONFIG;
    String KEY_SOURCE = CompressedModelFiles.KEY_SOURCE;
    String KEY_SOURCE_HASH = CompressedModelFiles.KEY_SOURCE_HASH;
    String KEY_TOKENIZER = CompressedModelFiles.KEY_TOKENIZER;
    String KEY_CODE_VERSION = CompressedModelFiles.KEY_CODE_VERSION;

    String method();

    /**
     * Builds the replacement linear layers, keyed by canonical weight name.
     *
     * @param onTheFly decode weights inside the matvec (true) or once into dense tensors (false)
     */
    Map<String, Linear> linears(SafetensorsFile file, ModelConfig config, boolean onTheFly);

    /**
     * Whether inference ({@code ppl}, {@code eval}, {@code bench}, the GUI) runs this method's layers on the
     * fly from their stored form by default, rather than decoding them once to dense tensors: the faster of
     * the two on the measured machine, and the one that keeps the model at its compressed size in memory.
     */
    default boolean runsOnTheFlyByDefault() {
        return true;
    }

    /**
     * Compressed weights that are plain stored tensors (ggml block types, which the engine multiplies like a
     * GGUF file's), keyed by canonical weight name; they join the model's tensors. None by default.
     */
    default Map<String, Tensor> storedWeights(SafetensorsFile file, ModelConfig config) {
        return Map.of();
    }
}
