package dev.llmcw.model.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Builds small HF folders for tests: a config.json and tensors of given shapes with seeded values. */
final class HfTestFolders {
    private HfTestFolders() {}

    static ObjectNode llamaConfig(int dim, int hidden, int layers, int heads, int kvHeads, int vocab) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("model_type", "llama");
        c.put("hidden_size", dim);
        c.put("intermediate_size", hidden);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        c.put("vocab_size", vocab);
        c.put("max_position_embeddings", 256);
        c.put("rms_norm_eps", 1e-5);
        c.put("hidden_act", "silu");
        return c;
    }

    /** Seeded values for every tensor: value i of tensor {@code name} is reproducible from the seed. */
    static Map<String, float[]> values(Map<String, long[]> shapes, long seed) {
        Map<String, float[]> m = new LinkedHashMap<>();
        var r = new SplittableRandom(seed);
        for (var e : shapes.entrySet()) {
            long n = 1;
            for (long d : e.getValue()) n *= d;
            float[] v = new float[(int) n];
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
            m.put(e.getKey(), v);
        }
        return m;
    }

    static void writeConfig(Path dir, ObjectNode config) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), Json.MAPPER.writeValueAsString(config));
    }

    static void writeTensors(Path file, Map<String, long[]> shapes, Map<String, float[]> values, DType dtype)
            throws Exception {
        var w = new SafetensorsWriter().metadata("format", "pt");
        for (var e : shapes.entrySet()) w.add(e.getKey(), dtype, e.getValue(), values.get(e.getKey()));
        w.write(file);
    }
}
