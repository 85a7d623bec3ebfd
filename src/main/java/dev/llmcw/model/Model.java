package dev.llmcw.model;

import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.tokenizer.Tokenizer;
import dev.llmcw.util.ModelLoadException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A loaded causal LM: configuration, tensors under canonical names ({@link WeightNames}), optional
 * replacement linear layers (compressed weights, keyed by the canonical weight name they replace),
 * an optional tokenizer, and where it came from.
 *
 * @param format     "llama2c", "hf", "gguf", "seedlm", "caldera", "rtn", "gptq", ...
 * @param label      human-readable description; synthetic models say "SYNTHETIC" here
 * @param metadata   free-form provenance (e.g. compression parameters, source hash)
 */
public record Model(
        ModelConfig config,
        Map<String, Tensor> tensors,
        Map<String, Linear> linears,
        Tokenizer tokenizer,
        Path source,
        String format,
        String label,
        Map<String, String> metadata) {

    public Model {
        tensors = Map.copyOf(tensors);
        linears = Map.copyOf(linears);
        metadata = Map.copyOf(metadata);
    }

    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new ModelLoadException(source, "missing tensor " + name);
        return t;
    }

    public Model withTokenizer(Tokenizer tok) {
        return new Model(config, tensors, linears, tok, source, format, label, metadata);
    }

    /** Total bytes of all stored weights (dense tensors plus replacement layers). */
    public long weightBytes() {
        long b = 0;
        for (var e : tensors.entrySet()) {
            if (!linears.containsKey(e.getKey())) b += e.getValue().byteSize();
        }
        for (Linear l : linears.values()) b += l.storageBytes();
        return b;
    }

    /** Stored bits per parameter over the whole model ({@link #bitsPerWeight(long, long)} of this model). */
    public double bitsPerWeight() {
        return bitsPerWeight(weightBytes(), config.parameterCount());
    }

    /**
     * 8 · bytes / parameters: 32 for an F32 model, 16 for BF16; where an uncompressed model sits on the
     * bits/weight axis (0 when the parameter count is unknown).
     */
    public static double bitsPerWeight(long weightBytes, long parameters) {
        return parameters <= 0 ? 0 : 8.0 * weightBytes / parameters;
    }
}
