package dev.llmcw.compress;

import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.Linear;

import java.util.Map;

/**
 * Reads one method's compressed tensors back into linear layers. Compressed model files are
 * safetensors whose "__metadata__" has {@link #KEY_METHOD}; {@code ModelLoader} picks the format by
 * that key. Kept (uncompressed) tensors are stored under their canonical names as BF16/F16/F32.
 */
public interface CompressedFormat {
    String KEY_METHOD = "workbench.method";
    String KEY_PARAMS = "workbench.params";          // JSON object of the method's parameters
    String KEY_CONFIG = "workbench.config";          // JSON of ModelConfig
    String KEY_SOURCE = "workbench.source";          // path of the source model
    String KEY_SOURCE_HASH = "workbench.source_hash";
    String KEY_TOKENIZER = "workbench.tokenizer";    // path of the tokenizer used with the source, if any
    String KEY_CODE_VERSION = "workbench.code_version";

    String method();

    /**
     * Builds the replacement linear layers, keyed by canonical weight name.
     *
     * @param onTheFly decode weights inside the matvec (true) or once into dense tensors (false)
     */
    Map<String, Linear> linears(SafetensorsFile file, ModelConfig config, boolean onTheFly);
}
