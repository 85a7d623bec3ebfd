package dev.llmcw.model.hf;

import dev.llmcw.model.FiniteWeights;
import dev.llmcw.model.LayerCount;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.tokenizer.Tokenizer;
import dev.llmcw.tokenizer.TokenizerFiles;
import dev.llmcw.util.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads a Hugging Face model folder (config.json + model.safetensors or a sharded index, optional
 * tokenizer.json) of a Llama-family decoder. Weights stay memory-mapped (F32, F16 or BF16 views, no
 * copy) under their HF names, which are the canonical {@link WeightNames}. Every tensor the config
 * implies is checked for presence and shape before the model is returned.
 */
public final class HfFolderLoader {
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    private HfFolderLoader() {}

    /** Whether {@code dir} looks like an HF model folder. */
    public static boolean isHfFolder(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(HfConfig.FILE));
    }

    /** The model with the folder's tokenizer.json (if any); a tokenizer that cannot be read is an error. */
    public static Model load(Path dir) {
        Model m = loadWithoutTokenizer(dir);
        Tokenizer tok = folderTokenizer(dir);
        if (tok == null) return m;
        tok.checkFits(dir.resolve(TOKENIZER_JSON), m.config().vocabSize());
        return m.withTokenizer(tok);
    }

    /** The folder's tokenizer.json (+ tokenizer_config.json), or null when the folder has none. */
    public static Tokenizer folderTokenizer(Path dir) {
        Path tj = dir.resolve(TOKENIZER_JSON);
        if (!Files.isRegularFile(tj)) return null;
        Path tc = dir.resolve(TOKENIZER_CONFIG);
        return TokenizerFiles.huggingFace(tj, Files.isRegularFile(tc) ? tc : null);
    }

    /** The weights and configuration only (for callers that bring their own tokenizer). */
    public static Model loadWithoutTokenizer(Path dir) {
        if (!Files.isDirectory(dir)) throw new ModelLoadException(dir, "not a folder");
        Path configFile = dir.resolve(HfConfig.FILE);
        if (!Files.isRegularFile(configFile)) throw new ModelLoadException(dir, "no config.json in the folder");
        HfConfig.Parsed parsed = HfConfig.read(configFile);
        ModelConfig c = parsed.config();
        HfWeights weights = HfWeights.open(dir);

        LayerCount.checkNoTensorBeyond(
                weights.describedBy,
                weights.byName.keySet(),
                c.nLayers(),
                "num_hidden_layers in config.json",
                name -> name);
        // Bounded by the file before the list of expected tensors is built: a layer count of 2^31-1 would fill the
        // heap.
        int present = 0;
        while (present < c.nLayers() && weights.byName.containsKey(WeightNames.q(present))) present++;
        if (present < c.nLayers()) {
            throw new ModelLoadException(
                    weights.describedBy,
                    "missing tensor " + WeightNames.q(present) + " (config.json declares " + c.nLayers()
                            + " layers, the weights hold " + present + ")");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : HfTensorLayout.expectedShapes(c).entrySet()) {
            tensors.put(e.getKey(), take(weights, e.getKey(), e.getValue(), configFile));
        }
        // content after structure: every shape is right before a single value is looked at
        for (var e : tensors.entrySet())
            FiniteWeights.check(weights.byName.get(e.getKey()).path(), e.getKey(), e.getValue());
        // A tied model that still ships lm_head.weight (some exports do) is run tied, as transformers would.
        if (!c.tiedEmbeddings() && !tensors.containsKey(WeightNames.LM_HEAD)) {
            throw new ModelLoadException(weights.describedBy, "missing tensor " + WeightNames.LM_HEAD);
        }
        Map<String, String> metadata = new HashMap<>(parsed.extras());
        metadata.put("weights", weights.describedBy.getFileName().toString());
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        String label = parsed.synthetic() ? name + " [SYNTHETIC]" : name;
        return new Model(c, tensors, Map.of(), null, dir, "hf", label, metadata);
    }

    private static Tensor take(HfWeights weights, String name, long[] shape, Path configFile) {
        SafetensorsFile f = weights.byName.get(name);
        if (f == null) throw new ModelLoadException(weights.describedBy, "missing tensor " + name);
        var entry = f.entry(name);
        if (SafetensorsFile.floatType(entry.dtype()) == null) {
            throw new ModelLoadException(
                    f.path(),
                    "tensor " + name + " has dtype " + entry.dtype()
                            + "; only F32, F16 and BF16 weights are supported");
        }
        if (!Arrays.equals(entry.shape(), shape)) {
            throw new ModelLoadException(
                    f.path(),
                    "tensor " + name + " has shape " + Arrays.toString(entry.shape()) + " but "
                            + configFile.getFileName() + " implies " + Arrays.toString(shape));
        }
        return f.tensor(name);
    }
}
