package dev.llmcw.model.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.util.Json;
import dev.llmcw.util.JsonSideFiles;
import dev.llmcw.util.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors weights of a Hugging Face folder: either one {@code model.safetensors} or shards
 * listed in {@code model.safetensors.index.json} (weight_map: tensor name → shard file). Every shard
 * the index names must exist and hold the tensors mapped to it; each shard is mapped once.
 */
final class HfWeights {
    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    /** Where each tensor lives, and which file to blame when a tensor is missing. */
    final Map<String, SafetensorsFile> byName;

    final Path describedBy;

    private HfWeights(Map<String, SafetensorsFile> byName, Path describedBy) {
        this.byName = byName;
        this.describedBy = describedBy;
    }

    static HfWeights open(Path dir) {
        Path single = dir.resolve(SINGLE), index = dir.resolve(INDEX);
        // Same precedence as transformers: the single file wins when both are present.
        if (Files.isRegularFile(single)) {
            SafetensorsFile f = SafetensorsFile.open(single);
            Map<String, SafetensorsFile> m = new LinkedHashMap<>();
            for (String n : f.entries().keySet()) m.put(n, f);
            return new HfWeights(m, single);
        }
        if (Files.isRegularFile(index)) return sharded(dir, index);
        String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                        || Files.exists(dir.resolve("pytorch_model.bin.index.json"))
                ? " (PyTorch .bin checkpoints are not supported: convert them to safetensors)"
                : "";
        throw new ModelLoadException(dir, "no " + SINGLE + " or " + INDEX + " in the folder" + hint);
    }

    private static HfWeights sharded(Path dir, Path index) {
        String text = JsonSideFiles.read(index);
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new ModelLoadException(index, "cannot read: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) throw new ModelLoadException(index, "has no \"weight_map\" object");
        Map<String, SafetensorsFile> shards = new HashMap<>();
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        Path base = dir.toAbsolutePath().normalize();
        for (var e : map.properties()) {
            String tensor = e.getKey();
            if (!e.getValue().isTextual()) {
                throw new ModelLoadException(index, "weight_map entry of " + tensor + " is not a file name");
            }
            String shardName = e.getValue().asText();
            Path shardPath = base.resolve(shardName).normalize();
            if (!shardPath.startsWith(base)) {
                throw new ModelLoadException(index, "weight_map names " + shardName + ", which is outside the folder");
            }
            SafetensorsFile shard = shards.get(shardName);
            if (shard == null) {
                if (!Files.isRegularFile(shardPath)) {
                    throw new ModelLoadException(
                            index,
                            "weight_map names shard " + shardName + " (for " + tensor + "), but the file is missing");
                }
                shard = SafetensorsFile.open(shardPath);
                shards.put(shardName, shard);
            }
            if (!shard.has(tensor)) {
                throw new ModelLoadException(
                        shard.path(), "missing tensor " + tensor + " that " + INDEX + " maps to this shard");
            }
            byName.put(tensor, shard);
        }
        return new HfWeights(byName, index);
    }
}
