package dev.llmcw.model.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.hf.HfFolderLoader;
import dev.llmcw.model.hf.HfTensorLayout;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Json;
import dev.llmcw.util.ProgressListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticModelGeneratorTest {
    @TempDir
    Path tmp;

    private Path generate(String name, ModelConfig c, DType dtype, long seed) throws Exception {
        return generate(name, name, c, dtype, seed);
    }

    private Path generate(String dirName, String name, ModelConfig c, DType dtype, long seed) throws Exception {
        Path dir = tmp.resolve(dirName);
        SyntheticModelGenerator.generate(c, name, dtype, seed, dir, ProgressListener.NONE, CancellationToken.none());
        return dir;
    }

    @Test
    void tinyPresetLoadsWithExpectedShapesAndSaneStatistics() throws Exception {
        ModelConfig c = SyntheticPresets.get("tiny");
        Path dir = generate("synthetic-tiny", c, DType.F32, 1);
        Model m = HfFolderLoader.loadWithoutTokenizer(dir);
        assertThat(m.config()).isEqualTo(c);
        assertThat(m.label()).isEqualTo("synthetic-tiny [SYNTHETIC]");
        for (var e : HfTensorLayout.expectedShapes(c).entrySet()) {
            assertThat(m.tensor(e.getKey()).shape()).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(m.tensor(WeightNames.k(1)).shape()).containsExactly(32, 64);
        assertThat(m.tensor(WeightNames.LM_HEAD).shape()).containsExactly(512, 64);
        assertThat(m.tensor(WeightNames.attnNorm(0)).toFloatArray()).containsOnly(1f);
        // Projections are N(0, 1/fan_in): check the variance of the MLP down projection (fan_in 172).
        float[] down = m.tensor(WeightNames.down(0)).toFloatArray();
        double mean = 0, var = 0;
        for (float v : down) mean += v;
        mean /= down.length;
        for (float v : down) var += (v - mean) * (v - mean);
        var /= down.length;
        assertThat(mean).isCloseTo(0, within(0.01));
        assertThat(var * 172).isCloseTo(1.0, within(0.05));

        var cfg = Json.MAPPER.readTree(dir.resolve("config.json").toFile());
        assertThat(cfg.get("workbench_synthetic").asBoolean()).isTrue();
        assertThat(cfg.get("_name_or_path").asText()).contains("synthetic");
        assertThat(cfg.get("bos_token_id").asInt()).isEqualTo(256);
    }

    @Test
    void sameSeedSameBytesDifferentSeedDifferentBytes() throws Exception {
        ModelConfig c = SyntheticPresets.get("tiny");
        byte[] a = Files.readAllBytes(
                generate("a", "synthetic-tiny", c, DType.BF16, 7).resolve("model.safetensors"));
        byte[] b = Files.readAllBytes(
                generate("b", "synthetic-tiny", c, DType.BF16, 7).resolve("model.safetensors"));
        byte[] d = Files.readAllBytes(
                generate("d", "synthetic-tiny", c, DType.BF16, 8).resolve("model.safetensors"));
        assertThat(Arrays.equals(a, b)).as("same seed, same bytes").isTrue();
        assertThat(d.length).isEqualTo(a.length);
        assertThat(Arrays.equals(a, d)).as("different seed, different bytes").isFalse();
        Tensor qa = HfFolderLoader.loadWithoutTokenizer(tmp.resolve("a")).tensor(WeightNames.q(0));
        Tensor qd = HfFolderLoader.loadWithoutTokenizer(tmp.resolve("d")).tensor(WeightNames.q(0));
        assertThat(qa.toFloatArray()).isNotEqualTo(qd.toFloatArray());
    }

    @Test
    void tensorsLargerThanAChunkAreDeterministicAndDistinctPerChunk() throws Exception {
        // vocab 9000 x dim 128 = 1.15M values: two generation chunks in the (tied) embedding.
        ModelConfig c = SyntheticPresets.customize(SyntheticPresets.get("demo"), null, null, 1, null, null, 9000);
        Model m = HfFolderLoader.loadWithoutTokenizer(generate("big", c, DType.F32, 3));
        Tensor emb = m.tensor(WeightNames.EMBED);
        assertThat(emb.numel()).isGreaterThan(SyntheticModelGenerator.CHUNK);
        // The second chunk must not repeat the first.
        assertThat(emb.get(SyntheticModelGenerator.CHUNK)).isNotEqualTo(emb.get(0));
        assertThat(emb.get(SyntheticModelGenerator.CHUNK + 1)).isNotEqualTo(emb.get(1));
    }

    @Test
    void presetsHaveTheRealShapes() {
        var smol = SyntheticPresets.get("smollm2-135m");
        assertThat(smol.parameterCount()).isEqualTo(134_515_008L); // SmolLM2-135M's published count
        var llama = SyntheticPresets.get("llama-3.2-1b");
        assertThat(llama.parameterCount()).isEqualTo(1_235_814_400L); // Llama-3.2-1B (tied)
        assertThat(llama.ropeScaling().factor()).isEqualTo(32);
        assertThat(SyntheticPresets.get("demo").dim()).isEqualTo(128);
        assertThatThrownBy(() -> SyntheticPresets.get("gpt5")).hasMessageContaining("tiny");
    }

    @Test
    void byteLevelTokenizerFilesCoverAllBytes() throws Exception {
        Path dir = generate("synthetic-demo", SyntheticPresets.get("demo"), DType.BF16, 1);
        var tok = Json.MAPPER.readTree(dir.resolve("tokenizer.json").toFile());
        var vocab = tok.get("model").get("vocab");
        assertThat(vocab.size()).isEqualTo(512);
        assertThat(tok.get("model").get("type").asText()).isEqualTo("BPE");
        assertThat(tok.get("model").get("merges").size()).isZero();
        assertThat(tok.get("pre_tokenizer").get("type").asText()).isEqualTo("ByteLevel");
        assertThat(vocab.get("Ġ").asInt()).isEqualTo(' '); // GPT-2 maps the space byte to U+0120
        assertThat(vocab.get("A").asInt()).isEqualTo('A');
        assertThat(vocab.get("<s>").asInt()).isEqualTo(256);
        assertThat(vocab.get("</s>").asInt()).isEqualTo(257);
        assertThat(vocab.get("<synthetic_511>").asInt()).isEqualTo(511);
        assertThat(tok.get("added_tokens").get(0).get("special").asBoolean()).isTrue();
        var post = tok.get("post_processor");
        assertThat(post.get("type").asText()).isEqualTo("TemplateProcessing");
        assertThat(post.get("special_tokens").get("<s>").get("ids").get(0).asInt())
                .isEqualTo(256);
        char[] map = ByteLevelTokenizerFiles.byteToUnicode();
        assertThat(new String(map).chars().distinct().count()).isEqualTo(256);
        var cfg = Json.MAPPER.readTree(dir.resolve("tokenizer_config.json").toFile());
        assertThat(cfg.get("add_bos_token").asBoolean()).isTrue();
        assertThat(cfg.get("bos_token").asText()).isEqualTo("<s>");
        assertThat(Files.readString(dir.resolve("tokenizer.json"), StandardCharsets.UTF_8))
                .contains("\"ByteLevel\"");
    }

    @Test
    void loadsWithItsByteLevelTokenizer() throws Exception {
        Model m = HfFolderLoader.load(generate("synthetic-tok", SyntheticPresets.get("tiny"), DType.BF16, 2));
        var tok = m.tokenizer();
        assertThat(tok).isNotNull();
        String text = "Hi wörld ✓";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = tok.encode(text);
        assertThat(ids).hasSize(utf8.length);
        for (int i = 0; i < ids.length; i++) assertThat(ids[i]).isEqualTo(utf8[i] & 0xff);
        assertThat(tok.decode(ids)).isEqualTo(text);
        assertThat(tok.bosId()).isEqualTo(256);
        assertThat(tok.eosId()).isEqualTo(257);
        assertThat(tok.addsBosByDefault()).isTrue();
        assertThat(tok.vocabSize()).isEqualTo(512);
    }

    @Test
    void cancellationLeavesNoWeightsFile() {
        var cancel = new CancellationToken();
        cancel.cancel();
        assertThatThrownBy(() -> SyntheticModelGenerator.generate(
                        SyntheticPresets.get("tiny"),
                        "x",
                        DType.F32,
                        1,
                        tmp.resolve("cancelled"),
                        ProgressListener.NONE,
                        cancel))
                .isInstanceOf(CancellationToken.CancelledException.class);
        assertThat(tmp.resolve("cancelled").resolve("model.safetensors")).doesNotExist();
        assertThatThrownBy(() -> ByteLevelTokenizerFiles.write(tmp, 100, 10)).hasMessageContaining("258");
    }
}
