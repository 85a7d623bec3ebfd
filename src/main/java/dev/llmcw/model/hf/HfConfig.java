package dev.llmcw.model.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.RopeScaling;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.Json;
import dev.llmcw.util.JsonSideFiles;
import dev.llmcw.util.ModelLoadException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the Hugging Face {@code config.json} of Llama-family decoders (llama — which
 * includes SmolLM/SmolLM2 and TinyLlama —, mistral, qwen2). Defaults follow transformers'
 * LlamaConfig/MistralConfig/Qwen2Config where a key may be absent; keys without a sensible default
 * are required and reported by name. Settings the engine cannot honour (other rope_scaling types,
 * o_proj/MLP biases, activations other than SiLU) are refused rather than silently ignored.
 */
public final class HfConfig {
    public static final String FILE = "config.json";
    public static final List<String> SUPPORTED_MODEL_TYPES = List.of("llama", "mistral", "qwen2");
    /** Marker written by the synthetic-model generator (and HfFolderWriter on request). */
    public static final String SYNTHETIC_KEY = "workbench_synthetic";

    /**
     * @param synthetic config.json says {@code "workbench_synthetic": true}
     * @param extras    provenance worth keeping in Model.metadata (model_type, torch_dtype, sliding_window, ...)
     */
    public record Parsed(ModelConfig config, boolean synthetic, Map<String, String> extras) {}

    private HfConfig() {}

    public static Parsed read(Path configJson) {
        String text = JsonSideFiles.read(configJson);
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new ModelLoadException(configJson, "cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new ModelLoadException(configJson, "is not a JSON object");
        return parse(configJson, root);
    }

    static Parsed parse(Path file, JsonNode root) {
        var r = new Reader(file, root);
        String type = r.string("model_type");
        if (!SUPPORTED_MODEL_TYPES.contains(type)) {
            throw new ModelLoadException(
                    file,
                    "unsupported model_type \"" + type + "\"; supported: " + String.join(", ", SUPPORTED_MODEL_TYPES));
        }
        String act = r.optString("hidden_act", r.optString("hidden_activation", "silu"));
        if (!act.equals("silu"))
            throw new ModelLoadException(file, "hidden_act \"" + act + "\" is not supported (only silu)");
        if (r.optBool("mlp_bias", false)) throw new ModelLoadException(file, "mlp_bias=true is not supported");
        // Llama's attention_bias also puts a bias on o_proj, which the engine does not have; Qwen2 has
        // q/k/v biases (and none on o_proj) without saying so in config.json.
        if (!type.equals("qwen2") && r.optBool("attention_bias", false)) {
            throw new ModelLoadException(file, "attention_bias=true is not supported for " + type);
        }
        boolean bias = type.equals("qwen2");
        int dim = r.positiveInt("hidden_size");
        int hidden = r.positiveInt("intermediate_size");
        int layers = r.positiveInt("num_hidden_layers");
        int heads = r.positiveInt("num_attention_heads");
        int kvHeads = r.optPositiveInt("num_key_value_heads", heads);
        Integer explicitHeadDim = r.has("head_dim") ? r.positiveInt("head_dim") : null;
        if (explicitHeadDim == null && dim % heads != 0) {
            throw new ModelLoadException(
                    file,
                    "hidden_size " + dim + " is not a multiple of num_attention_heads " + heads
                            + " and no head_dim is given");
        }
        int headDim = explicitHeadDim != null ? explicitHeadDim : dim / heads;
        int vocab = r.positiveInt("vocab_size");
        int maxPos = r.optPositiveInt("max_position_embeddings", 2048); // transformers' LlamaConfig default
        float eps = (float) r.optDouble("rms_norm_eps", 1e-6); // transformers' default for all three
        float theta = (float) r.optDouble("rope_theta", 10000.0);
        RopeScaling scaling = ropeScaling(file, root.get("rope_scaling"));
        boolean tied = r.optBool("tie_word_embeddings", false);
        if (heads % kvHeads != 0) {
            throw new ModelLoadException(
                    file, "num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        var config = new ModelConfig(
                type,
                dim,
                hidden,
                layers,
                heads,
                kvHeads,
                headDim,
                vocab,
                maxPos,
                eps,
                theta,
                RopeLayout.ROTATE_HALF,
                scaling,
                tied,
                bias);
        Map<String, String> extras = new LinkedHashMap<>();
        extras.put("model_type", type);
        for (String k : List.of("torch_dtype", "_name_or_path", "transformers_version")) {
            if (root.hasNonNull(k)) extras.put(k, root.get(k).asText());
        }
        // Sliding-window attention (Mistral v0.1: 4096) only differs from full attention beyond the
        // window; kept as metadata so the engine can refuse or cap longer contexts.
        boolean slidingUsed = !type.equals("qwen2") || r.optBool("use_sliding_window", false);
        if (slidingUsed && root.hasNonNull("sliding_window"))
            extras.put("sliding_window", root.get("sliding_window").asText());
        return new Parsed(config, r.optBool(SYNTHETIC_KEY, false), extras);
    }

    private static RopeScaling ropeScaling(Path file, JsonNode rs) {
        if (rs == null || rs.isNull()) return null;
        if (!rs.isObject()) throw new ModelLoadException(file, "rope_scaling is not a JSON object");
        var r = new Reader(file, rs, "rope_scaling.");
        String type = rs.hasNonNull("rope_type") ? r.string("rope_type") : r.string("type");
        return switch (type) {
            case "default" -> null;
            case "llama3" ->
                new RopeScaling(
                        r.positiveDouble("factor"),
                        r.positiveDouble("low_freq_factor"),
                        r.positiveDouble("high_freq_factor"),
                        r.positiveInt("original_max_position_embeddings"));
            default ->
                throw new ModelLoadException(file, "rope_scaling type \"" + type + "\" is not supported (only llama3)");
        };
    }

    /** Architecture class name transformers expects in "architectures". */
    public static String architectureClass(String modelType) {
        return switch (modelType) {
            case "mistral" -> "MistralForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            default -> "LlamaForCausalLM";
        };
    }

    /**
     * The config.json for {@code c}, loadable by transformers. Any architecture other than mistral and
     * qwen2 (e.g. llama2.c's) is written as llama. Floats go through their shortest decimal form so
     * 1e-5f is written as 1.0E-5 rather than 9.999999747378752E-6.
     */
    public static ObjectNode toJson(ModelConfig c, DType dtype, boolean synthetic, int bosId, int eosId) {
        String type =
                c.architecture().equals("mistral") || c.architecture().equals("qwen2") ? c.architecture() : "llama";
        if (c.attentionBias() && !type.equals("qwen2")) {
            throw new IllegalArgumentException("q/k/v biases can only be written as qwen2, not " + c.architecture());
        }
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.putArray("architectures").add(architectureClass(type));
        o.put("model_type", type);
        o.put("hidden_size", c.dim());
        o.put("intermediate_size", c.hiddenDim());
        o.put("num_hidden_layers", c.nLayers());
        o.put("num_attention_heads", c.nHeads());
        o.put("num_key_value_heads", c.nKvHeads());
        o.put("head_dim", c.headDim());
        o.put("vocab_size", c.vocabSize());
        o.put("max_position_embeddings", c.maxSeqLen());
        o.put("rms_norm_eps", shortest(c.rmsEps()));
        o.put("rope_theta", shortest(c.ropeTheta()));
        if (c.ropeScaling() != null) {
            var rs = o.putObject("rope_scaling");
            rs.put("rope_type", "llama3");
            rs.put("factor", c.ropeScaling().factor());
            rs.put("low_freq_factor", c.ropeScaling().lowFreqFactor());
            rs.put("high_freq_factor", c.ropeScaling().highFreqFactor());
            rs.put("original_max_position_embeddings", c.ropeScaling().originalMaxPositionEmbeddings());
        } else {
            o.putNull("rope_scaling");
        }
        o.put("tie_word_embeddings", c.tiedEmbeddings());
        o.put("hidden_act", "silu");
        if (type.equals("llama")) {
            o.put("attention_bias", false);
            o.put("mlp_bias", false);
        }
        if (type.equals("qwen2")) o.put("use_sliding_window", false);
        if (type.equals("mistral")) o.putNull("sliding_window");
        o.put(
                "torch_dtype",
                switch (dtype) {
                    case F32 -> "float32";
                    case F16 -> "float16";
                    case BF16 -> "bfloat16";
                    default -> throw new IllegalArgumentException("HF folders store F32, F16 or BF16, not " + dtype);
                });
        if (bosId >= 0) o.put("bos_token_id", bosId);
        if (eosId >= 0) o.put("eos_token_id", eosId);
        if (synthetic) o.put(SYNTHETIC_KEY, true);
        return o;
    }

    private static double shortest(float f) {
        return Double.parseDouble(Float.toString(f));
    }

    /** Typed access to config keys with errors that name the file and the key. */
    private record Reader(Path file, JsonNode node, String prefix) {
        Reader(Path file, JsonNode node) {
            this(file, node, "");
        }

        boolean has(String key) {
            return node.hasNonNull(key);
        }

        private JsonNode required(String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull())
                throw new ModelLoadException(file, "missing required key \"" + prefix + key + "\"");
            return v;
        }

        private ModelLoadException bad(String key, String want, JsonNode v) {
            return new ModelLoadException(file, "key \"" + prefix + key + "\" must be " + want + ", got " + v);
        }

        String string(String key) {
            JsonNode v = required(key);
            if (!v.isTextual()) throw bad(key, "a string", v);
            return v.asText();
        }

        String optString(String key, String def) {
            return has(key) ? string(key) : def;
        }

        int positiveInt(String key) {
            JsonNode v = required(key);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() <= 0)
                throw bad(key, "a positive integer", v);
            return v.asInt();
        }

        int optPositiveInt(String key, int def) {
            return has(key) ? positiveInt(key) : def;
        }

        double positiveDouble(String key) {
            JsonNode v = required(key);
            if (!v.isNumber() || !(v.asDouble() > 0)) throw bad(key, "a positive number", v);
            return v.asDouble();
        }

        double optDouble(String key, double def) {
            return has(key) ? positiveDouble(key) : def;
        }

        boolean optBool(String key, boolean def) {
            if (!has(key)) return def;
            JsonNode v = node.get(key);
            if (!v.isBoolean()) throw bad(key, "true or false", v);
            return v.asBoolean();
        }
    }
}
