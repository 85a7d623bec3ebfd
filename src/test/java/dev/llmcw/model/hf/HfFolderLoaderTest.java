package dev.llmcw.model.hf;

import static dev.llmcw.model.hf.HfTestFolders.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.RopeScaling;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Half;
import dev.llmcw.util.Json;
import dev.llmcw.util.ModelLoadException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfFolderLoaderTest {
    @TempDir
    Path tmp;

    /** Writes a complete single-file folder for {@code config} and returns the values written. */
    private Map<String, float[]> folder(Path dir, ObjectNode config, DType dtype) throws Exception {
        writeConfig(dir, config);
        ModelConfig c = HfConfig.read(dir.resolve("config.json")).config();
        var shapes = HfTensorLayout.expectedShapes(c);
        var values = values(shapes, 42);
        writeTensors(dir.resolve("model.safetensors"), shapes, values, dtype);
        return values;
    }

    private static void assertValues(Model m, Map<String, float[]> values, DType dtype) {
        for (var e : values.entrySet()) {
            float[] got = m.tensor(e.getKey()).toFloatArray();
            float[] want = e.getValue().clone();
            for (int i = 0; i < want.length; i++) {
                if (dtype == DType.BF16) want[i] = Half.bf16ToFloat(Half.floatToBf16(want[i]));
                if (dtype == DType.F16) want[i] = Half.f16ToFloat(Half.floatToF16(want[i]));
            }
            assertThat(got).as(e.getKey()).containsExactly(want);
            assertThat(m.tensor(e.getKey()).dtype()).isEqualTo(dtype);
        }
    }

    @Test
    void llamaUntied() throws Exception {
        Path dir = tmp.resolve("tiny-llama");
        var cfg = llamaConfig(32, 48, 2, 4, 2, 64);
        cfg.put("rope_theta", 500000.0);
        var values = folder(dir, cfg, DType.F32);
        Model m = HfFolderLoader.load(dir);
        ModelConfig c = m.config();
        assertThat(c)
                .isEqualTo(new ModelConfig(
                        "llama",
                        32,
                        48,
                        2,
                        4,
                        2,
                        8,
                        64,
                        256,
                        1e-5f,
                        500000f,
                        RopeLayout.ROTATE_HALF,
                        null,
                        false,
                        false));
        assertThat(m.tensors()).containsKey(WeightNames.LM_HEAD).hasSize(values.size());
        assertValues(m, values, DType.F32);
        assertThat(m.format()).isEqualTo("hf");
        assertThat(m.label()).isEqualTo("tiny-llama");
        assertThat(m.source()).isEqualTo(dir);
        assertThat(m.tokenizer()).isNull();
        // The generic entry point dispatches folders here.
        assertThat(ModelLoader.load(dir).config()).isEqualTo(c);
    }

    @Test
    void tiedEmbeddingsIgnoreAStrayLmHead() throws Exception {
        Path dir = tmp.resolve("tied");
        var cfg = llamaConfig(16, 40, 1, 2, 1, 50);
        cfg.put("tie_word_embeddings", true);
        writeConfig(dir, cfg);
        var shapes = new LinkedHashMap<>(HfTensorLayout.expectedShapes(
                HfConfig.read(dir.resolve("config.json")).config()));
        assertThat(shapes).doesNotContainKey(WeightNames.LM_HEAD);
        shapes.put(WeightNames.LM_HEAD, new long[] {50, 16});
        writeTensors(dir.resolve("model.safetensors"), shapes, values(shapes, 3), DType.F32);
        Model m = HfFolderLoader.load(dir);
        assertThat(m.config().tiedEmbeddings()).isTrue();
        assertThat(m.tensors()).doesNotContainKey(WeightNames.LM_HEAD);
    }

    @Test
    void qwen2HasQkvBiasesAndBf16() throws Exception {
        Path dir = tmp.resolve("qwen");
        var cfg = llamaConfig(32, 64, 2, 4, 2, 80);
        cfg.put("model_type", "qwen2");
        cfg.put("tie_word_embeddings", true);
        cfg.put("rope_theta", 1000000.0);
        cfg.put("use_sliding_window", false);
        cfg.put("sliding_window", 32768);
        cfg.put("torch_dtype", "bfloat16");
        var values = folder(dir, cfg, DType.BF16);
        Model m = HfFolderLoader.load(dir);
        assertThat(m.config().attentionBias()).isTrue();
        assertThat(m.config().architecture()).isEqualTo("qwen2");
        assertThat(m.tensor(WeightNames.qBias(1)).shape()).containsExactly(32);
        assertThat(m.tensor(WeightNames.kBias(0)).shape()).containsExactly(16);
        assertThat(m.tensor(WeightNames.vBias(0)).shape()).containsExactly(16);
        assertValues(m, values, DType.BF16);
        assertThat(m.metadata()).containsEntry("torch_dtype", "bfloat16").doesNotContainKey("sliding_window");
        // Missing biases are an error for qwen2.
        var noBias = new LinkedHashMap<>(values);
        noBias.remove(WeightNames.vBias(1));
        var shapes = new LinkedHashMap<>(HfTensorLayout.expectedShapes(m.config()));
        shapes.remove(WeightNames.vBias(1));
        writeTensors(dir.resolve("model.safetensors"), shapes, noBias, DType.BF16);
        assertThatThrownBy(() -> HfFolderLoader.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("missing tensor " + WeightNames.vBias(1));
    }

    @Test
    void mistralKeepsSlidingWindowAsMetadata() throws Exception {
        Path dir = tmp.resolve("mistral");
        var cfg = llamaConfig(32, 64, 1, 4, 1, 40);
        cfg.put("model_type", "mistral");
        cfg.put("sliding_window", 4096);
        folder(dir, cfg, DType.F16);
        Model m = HfFolderLoader.load(dir);
        assertThat(m.config().architecture()).isEqualTo("mistral");
        assertThat(m.config().nKvHeads()).isEqualTo(1);
        assertThat(m.config().attentionBias()).isFalse();
        assertThat(m.metadata()).containsEntry("sliding_window", "4096").containsEntry("model_type", "mistral");
    }

    @Test
    void defaultsFollowTransformers() throws Exception {
        var cfg = llamaConfig(32, 64, 1, 4, 4, 40);
        cfg.remove(List.of("num_key_value_heads", "max_position_embeddings", "rms_norm_eps", "hidden_act"));
        ModelConfig c = HfConfig.parse(tmp.resolve("config.json"), cfg).config();
        assertThat(c.nKvHeads()).isEqualTo(4);
        assertThat(c.headDim()).isEqualTo(8);
        assertThat(c.ropeTheta()).isEqualTo(10000f);
        assertThat(c.maxSeqLen()).isEqualTo(2048);
        assertThat(c.rmsEps()).isEqualTo(1e-6f);
        assertThat(c.tiedEmbeddings()).isFalse();
        assertThat(c.ropeScaling()).isNull();
    }

    @Test
    void llama3RopeScalingAndExplicitHeadDim() throws Exception {
        // Llama-3.2-1B's config.json (shapes shrunk): head_dim given explicitly, rope_scaling "llama3".
        String json = """
                {"architectures":["LlamaForCausalLM"],"attention_bias":false,"bos_token_id":128000,
                 "eos_token_id":128001,"head_dim":16,"hidden_act":"silu","hidden_size":32,
                 "initializer_range":0.02,"intermediate_size":64,"max_position_embeddings":131072,
                 "mlp_bias":false,"model_type":"llama","num_attention_heads":4,"num_hidden_layers":1,
                 "num_key_value_heads":2,"pretraining_tp":1,"rms_norm_eps":1e-05,
                 "rope_scaling":{"factor":32.0,"high_freq_factor":4.0,"low_freq_factor":1.0,
                   "original_max_position_embeddings":8192,"rope_type":"llama3"},
                 "rope_theta":500000.0,"tie_word_embeddings":true,"torch_dtype":"bfloat16",
                 "transformers_version":"4.45.0.dev0","use_cache":true,"vocab_size":100}""";
        Path dir = tmp.resolve("llama3");
        var values = folder(dir, (ObjectNode) Json.MAPPER.readTree(json), DType.BF16);
        Model m = HfFolderLoader.load(dir);
        var c = m.config();
        assertThat(c.ropeScaling()).isEqualTo(new RopeScaling(32, 1, 4, 8192));
        assertThat(c.headDim()).isEqualTo(16);
        assertThat(c.qDim()).isEqualTo(64);
        assertThat(m.tensor(WeightNames.q(0)).shape()).containsExactly(64, 32);
        assertThat(m.tensor(WeightNames.o(0)).shape()).containsExactly(32, 64);
        assertThat(c.maxSeqLen()).isEqualTo(131072);
        assertThat(c.ropeTheta()).isEqualTo(500000f);
        assertThat(c.tiedEmbeddings()).isTrue();
        assertValues(m, values, DType.BF16);
        // Old-style key "type" is read too; other scaling types are refused.
        var old = (ObjectNode) Json.MAPPER.readTree(json);
        ((ObjectNode) old.get("rope_scaling")).remove("rope_type");
        ((ObjectNode) old.get("rope_scaling")).put("type", "llama3");
        assertThat(HfConfig.parse(dir.resolve("config.json"), old).config().ropeScaling())
                .isEqualTo(c.ropeScaling());
        ((ObjectNode) old.get("rope_scaling")).put("type", "yarn");
        assertThatThrownBy(() -> HfConfig.parse(dir.resolve("config.json"), old))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("config.json")
                .hasMessageContaining("yarn");
        ((ObjectNode) old.get("rope_scaling")).put("type", "llama3");
        ((ObjectNode) old.get("rope_scaling")).remove("low_freq_factor");
        assertThatThrownBy(() -> HfConfig.parse(dir.resolve("config.json"), old))
                .hasMessageContaining("rope_scaling.low_freq_factor");
    }

    @Test
    void shardedIndexWithTwoShards() throws Exception {
        Path dir = tmp.resolve("sharded");
        var cfg = llamaConfig(16, 32, 2, 2, 2, 30);
        writeConfig(dir, cfg);
        var shapes = HfTensorLayout.expectedShapes(
                HfConfig.read(dir.resolve("config.json")).config());
        var values = values(shapes, 9);
        var first = new LinkedHashMap<String, long[]>();
        var second = new LinkedHashMap<String, long[]>();
        ObjectNode index = Json.MAPPER.createObjectNode();
        index.putObject("metadata").put("total_size", 1234);
        var map = index.putObject("weight_map");
        int i = 0;
        for (var e : shapes.entrySet()) {
            boolean one = i++ < shapes.size() / 2;
            (one ? first : second).put(e.getKey(), e.getValue());
            map.put(e.getKey(), one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        writeTensors(dir.resolve("model-00001-of-00002.safetensors"), first, values, DType.F16);
        writeTensors(dir.resolve("model-00002-of-00002.safetensors"), second, values, DType.F16);
        Files.writeString(dir.resolve("model.safetensors.index.json"), Json.MAPPER.writeValueAsString(index));
        Model m = HfFolderLoader.load(dir);
        assertValues(m, values, DType.F16);
        assertThat(m.metadata()).containsEntry("weights", "model.safetensors.index.json");

        // A shard the index names is missing.
        Files.move(dir.resolve("model-00002-of-00002.safetensors"), dir.resolve("elsewhere.safetensors"));
        assertThatThrownBy(() -> HfFolderLoader.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.safetensors.index.json")
                .hasMessageContaining("model-00002-of-00002.safetensors")
                .hasMessageContaining("missing");

        // A tensor the index maps to a shard is not in it.
        var short2 = new LinkedHashMap<>(second);
        String dropped = short2.keySet().iterator().next();
        short2.remove(dropped);
        writeTensors(dir.resolve("model-00002-of-00002.safetensors"), short2, values, DType.F16);
        assertThatThrownBy(() -> HfFolderLoader.load(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model-00002-of-00002.safetensors")
                .hasMessageContaining("missing tensor " + dropped);

        // A shard path escaping the folder is refused.
        map.put(dropped, "../outside.safetensors");
        Files.writeString(dir.resolve("model.safetensors.index.json"), Json.MAPPER.writeValueAsString(index));
        assertThatThrownBy(() -> HfFolderLoader.load(dir)).hasMessageContaining("outside the folder");
    }

    @Test
    void syntheticMarkerGoesIntoTheLabel() throws Exception {
        Path dir = tmp.resolve("synthetic-x");
        var cfg = llamaConfig(16, 32, 1, 2, 2, 30);
        cfg.put("workbench_synthetic", true);
        folder(dir, cfg, DType.F32);
        assertThat(HfFolderLoader.load(dir).label()).isEqualTo("synthetic-x [SYNTHETIC]");
    }

    // ---- errors ----

    private void assertLoadFails(Path dir, String... fragments) {
        var a = assertThatThrownBy(() -> HfFolderLoader.load(dir)).isInstanceOf(ModelLoadException.class);
        for (String f : fragments) a.hasMessageContaining(f);
    }

    @Test
    void hugeJsonSideFilesAreRefusedWithoutReadingThem() throws Exception {
        Path dir = tmp.resolve("huge-config");
        Files.createDirectories(dir);
        try (var f = new RandomAccessFile(dir.resolve("config.json").toFile(), "rw")) {
            f.setLength(4L << 30); // sparse
        }
        assertLoadFails(dir, "config.json", "too large");
        Path sharded = tmp.resolve("huge-index");
        folder(sharded, llamaConfig(32, 48, 1, 4, 2, 64), DType.F32);
        Files.delete(sharded.resolve("model.safetensors"));
        try (var f = new RandomAccessFile(
                sharded.resolve("model.safetensors.index.json").toFile(), "rw")) {
            f.setLength(4L << 30);
        }
        assertLoadFails(sharded, "model.safetensors.index.json", "too large");
    }

    @Test
    void aLayerCountOfIntMaxIsRefusedWithoutBuildingItsTensorList() throws Exception {
        Path dir = tmp.resolve("int-max-layers");
        folder(dir, llamaConfig(32, 48, 2, 4, 2, 64), DType.F32);
        writeConfig(dir, llamaConfig(32, 48, Integer.MAX_VALUE, 4, 2, 64));
        assertLoadFails(dir, "model.safetensors", "missing tensor", "model.layers.2.");
    }

    @Test
    void fewerLayersInConfigThanInTheWeightsIsRefused() throws Exception {
        Path dir = tmp.resolve("truncating");
        folder(dir, llamaConfig(32, 48, 2, 4, 2, 64), DType.F32);
        writeConfig(dir, llamaConfig(32, 48, 1, 4, 2, 64));
        assertLoadFails(dir, "model.safetensors", "model.layers.1.", "num_hidden_layers", "is 1");
    }

    @Test
    void unknownModelTypeListsSupportedOnes() throws Exception {
        Path dir = tmp.resolve("gpt");
        var cfg = llamaConfig(16, 32, 1, 2, 2, 30);
        cfg.put("model_type", "gpt_neox");
        writeConfig(dir, cfg);
        assertLoadFails(dir, "config.json", "gpt_neox", "llama, mistral, qwen2");
    }

    @Test
    void missingOrBadKeysAreNamed() throws Exception {
        Path dir = tmp.resolve("nokey");
        var cfg = llamaConfig(16, 32, 1, 2, 2, 30);
        cfg.remove("intermediate_size");
        writeConfig(dir, cfg);
        assertLoadFails(dir, "config.json", "missing required key \"intermediate_size\"");
        cfg.put("intermediate_size", "big");
        writeConfig(dir, cfg);
        assertLoadFails(dir, "config.json", "intermediate_size", "positive integer");
        cfg.put("intermediate_size", 32);
        cfg.remove("model_type");
        writeConfig(dir, cfg);
        assertLoadFails(dir, "config.json", "model_type");
        cfg.put("model_type", "llama");
        cfg.put("num_key_value_heads", 3);
        cfg.put("num_attention_heads", 4);
        cfg.put("hidden_size", 16);
        writeConfig(dir, cfg);
        assertLoadFails(dir, "config.json", "not a multiple of num_key_value_heads 3");
        cfg.put("num_key_value_heads", 2);
        cfg.put("hidden_act", "gelu");
        writeConfig(dir, cfg);
        assertLoadFails(dir, "config.json", "gelu");
        cfg.put("hidden_act", "silu");
        cfg.put("attention_bias", true);
        writeConfig(dir, cfg);
        assertLoadFails(dir, "config.json", "attention_bias");
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": ");
        assertLoadFails(dir, "config.json", "cannot read");
    }

    @Test
    void missingWeightsFile() throws Exception {
        Path dir = tmp.resolve("noweights");
        writeConfig(dir, llamaConfig(16, 32, 1, 2, 2, 30));
        Files.writeString(dir.resolve("pytorch_model.bin"), "x");
        assertLoadFails(dir, "noweights", "no model.safetensors", "PyTorch");
    }

    @Test
    void wrongShape() throws Exception {
        Path dir = tmp.resolve("shape");
        var cfg = llamaConfig(16, 32, 1, 2, 2, 30);
        writeConfig(dir, cfg);
        var shapes = new LinkedHashMap<>(HfTensorLayout.expectedShapes(
                HfConfig.read(dir.resolve("config.json")).config()));
        shapes.put(WeightNames.up(0), new long[] {16, 32}); // transposed
        writeTensors(dir.resolve("model.safetensors"), shapes, values(shapes, 1), DType.F32);
        assertLoadFails(dir, "model.safetensors", WeightNames.up(0), "[16, 32]", "config.json implies [32, 16]");
    }

    @Test
    void untiedWithoutLmHead() throws Exception {
        Path dir = tmp.resolve("nohead");
        writeConfig(dir, llamaConfig(16, 32, 1, 2, 2, 30));
        var shapes = new LinkedHashMap<>(HfTensorLayout.expectedShapes(
                HfConfig.read(dir.resolve("config.json")).config()));
        shapes.remove(WeightNames.LM_HEAD);
        writeTensors(dir.resolve("model.safetensors"), shapes, values(shapes, 1), DType.F32);
        assertLoadFails(dir, "model.safetensors", "missing tensor lm_head.weight");
    }

    @Test
    void nonFloatWeights() throws Exception {
        Path dir = tmp.resolve("ints");
        writeConfig(dir, llamaConfig(16, 32, 1, 2, 2, 30));
        var shapes = HfTensorLayout.expectedShapes(
                HfConfig.read(dir.resolve("config.json")).config());
        var vals = values(shapes, 1);
        var w = new SafetensorsWriter();
        for (var e : shapes.entrySet()) {
            if (e.getKey().equals(WeightNames.FINAL_NORM)) w.addInts(e.getKey(), e.getValue(), new int[16]);
            else w.add(e.getKey(), DType.F32, e.getValue(), vals.get(e.getKey()));
        }
        w.write(dir.resolve("model.safetensors"));
        assertLoadFails(dir, "model.safetensors", WeightNames.FINAL_NORM, "I32");
    }

    @Test
    void truncatedSafetensors() throws Exception {
        Path dir = tmp.resolve("cut");
        folder(dir, llamaConfig(16, 32, 1, 2, 2, 30), DType.F32);
        byte[] all = Files.readAllBytes(dir.resolve("model.safetensors"));
        Files.write(dir.resolve("model.safetensors"), Arrays.copyOf(all, all.length - 10));
        assertLoadFails(dir, "model.safetensors", "truncated");
    }
}
