package dev.llmcw.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmcw.TestData;
import dev.llmcw.model.gguf.GgufFile;
import dev.llmcw.model.gguf.GgufTokenizers;
import dev.llmcw.model.gguf.GgufValue;
import dev.llmcw.model.gguf.GgufWriter;
import dev.llmcw.util.Json;
import dev.llmcw.util.ModelLoadException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerFilesTest {
    @TempDir
    Path dir;

    private Path writeJson(String name, Object node) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, Json.MAPPER.writeValueAsString(node), StandardCharsets.UTF_8);
        return p;
    }

    // ---- llama2.c ----

    @Test
    void tok512MatchesThePythonPortOfLlama2cEncode() throws Exception {
        Tokenizer tok = TokenizerFiles.llama2c(TestData.tok512(), 512);
        JsonNode golden;
        try (var in = getClass().getResourceAsStream("/golden/tokenizer/tok512_llama2c_encode.json")) {
            golden = Json.MAPPER.readTree(in);
        }
        assertThat(golden.get("cases").size()).isEqualTo(7);
        for (JsonNode c : golden.get("cases")) {
            String text = c.get("text").asText();
            int[] want = new int[c.get("ids").size()];
            for (int i = 0; i < want.length; i++) want[i] = c.get("ids").get(i).asInt();
            assertThat(tok.encode(text)).as(text).containsExactly(want);
            assertThat(tok.decode(tok.encode(text))).isEqualTo(text);
        }
        assertThat(tok.bosId()).isEqualTo(1);
        assertThat(tok.eosId()).isEqualTo(2);
        assertThat(tok.addsBosByDefault()).isTrue();
        assertThat(tok.decode(new int[] {1, 403, 2})).isEqualTo("Once");
    }

    @Test
    void llama2cFilesThatDoNotFitAreRejected() throws Exception {
        byte[] all = Files.readAllBytes(TestData.tok512());
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, Arrays.copyOf(all, all.length - 40));
        assertThatThrownBy(() -> TokenizerFiles.llama2c(cut, 512))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("cut.bin")
                .hasMessageContaining("vocabulary has 512");
        assertThatThrownBy(() -> TokenizerFiles.llama2c(TestData.tok512(), 600)).hasMessageContaining("tok512.bin");
        Path garbage = dir.resolve("garbage.bin");
        Files.write(garbage, new byte[] {7, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0});
        assertThatThrownBy(() -> TokenizerFiles.llama2c(garbage, 3))
                .hasMessageContaining("garbage.bin")
                .hasMessageContaining("length");
    }

    // ---- Hugging Face tokenizer.json ----

    /** The minimal tokenizer.json the synthetic-model writer produces (see the formats work). */
    private Path syntheticTokenizerJson(int vocabSize) throws Exception {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", "1.0");
        ArrayNode added = root.putArray("added_tokens");
        for (String[] t : new String[][] {{"256", "<s>"}, {"257", "</s>"}}) {
            added.addObject()
                    .put("id", Integer.parseInt(t[0]))
                    .put("content", t[1])
                    .put("special", true)
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", false);
        }
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false);
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "ByteLevel");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) vocab.put(ByteLevelBpeTokenizer.byteToUnicode(b), b);
        vocab.put("<s>", 256);
        vocab.put("</s>", 257);
        for (int i = 258; i < vocabSize; i++) vocab.put("<synthetic_" + i + ">", i);
        model.putArray("merges");
        return writeJson("tokenizer.json", root);
    }

    @Test
    void readsTheSyntheticModelsMinimalTokenizer() throws Exception {
        Path json = syntheticTokenizerJson(300);
        Path config = writeJson(
                "tokenizer_config.json", Map.of("bos_token", "<s>", "eos_token", "</s>", "add_bos_token", true));
        Tokenizer tok = TokenizerFiles.huggingFace(json, config);
        assertThat(tok.vocabSize()).isEqualTo(300);
        assertThat(tok.bosId()).isEqualTo(256);
        assertThat(tok.eosId()).isEqualTo(257);
        assertThat(tok.addsBosByDefault()).isTrue();
        assertThat(tok.encode("Hi é")).containsExactly('H', 'i', ' ', 0xC3, 0xA9);
        assertThat(tok.encode("a</s>b")).containsExactly('a', 257, 'b');
        assertThat(tok.decode(tok.encode("Hi é\n\ttab"))).isEqualTo("Hi é\n\ttab");
        assertThat(tok.decode(new int[] {256, 'o', 'k', 257})).isEqualTo("ok");
        // Without a config: BOS/EOS found by name, no BOS by default for byte-level BPE (GPT-2 convention).
        Tokenizer bare = TokenizerFiles.huggingFace(json, null);
        assertThat(bare.bosId()).isEqualTo(256);
        assertThat(bare.addsBosByDefault()).isFalse();
    }

    /** GPT-2 as a tokenizer.json, either with the classic ByteLevel pre-tokenizer or Split(regex) + ByteLevel. */
    private Path gpt2TokenizerJson(boolean splitRegex) throws Exception {
        JsonNode vocab = Json.MAPPER.readTree(
                TestData.require("tokenizers/gpt2/gpt2_vocab.json").toFile());
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putArray("added_tokens")
                .addObject()
                .put("id", 50256)
                .put("content", "<|endoftext|>")
                .put("special", true);
        if (splitRegex) {
            ObjectNode seq = root.putObject("pre_tokenizer").put("type", "Sequence");
            ArrayNode list = seq.putArray("pretokenizers");
            ObjectNode split = list.addObject()
                    .put("type", "Split")
                    .put("behavior", "Isolated")
                    .put("invert", false);
            split.putObject("pattern").put("Regex", ByteLevelBpeTokenizer.GPT2_REGEX);
            list.addObject()
                    .put("type", "ByteLevel")
                    .put("add_prefix_space", false)
                    .put("use_regex", false);
        } else {
            root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false);
        }
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.set("vocab", vocab);
        ArrayNode merges = model.putArray("merges");
        List<String> lines = Files.readAllLines(TestData.require("tokenizers/gpt2/vocab.bpe"));
        for (String l : lines.subList(1, lines.size())) {
            if (l.isEmpty()) continue;
            // the newer tokenizers format: [left, right] pairs
            if (splitRegex)
                merges.addArray().add(l.substring(0, l.indexOf(' '))).add(l.substring(l.indexOf(' ') + 1));
            else merges.add(l);
        }
        return writeJson(splitRegex ? "gpt2-split.json" : "gpt2.json", root);
    }

    @Test
    void gpt2TokenizerJsonMatchesTheTestVectors() throws Exception {
        var v = GgufVocabConformanceTest.vectors("ggml-vocab-gpt-2.gguf");
        for (boolean split : new boolean[] {false, true}) {
            Tokenizer tok = TokenizerFiles.huggingFace(gpt2TokenizerJson(split), null);
            assertThat(v.mismatches(tok)).as("split=" + split).isEmpty();
            assertThat(tok.eosId()).isEqualTo(50256);
            assertThat(tok.encode("a<|endoftext|>b")).containsExactly(64, 50256, 65);
        }
    }

    @Test
    void badTokenizerJsonIsRejectedNamingTheFile() throws Exception {
        Path unigram = writeJson("unigram.json", Map.of("model", Map.of("type", "Unigram", "vocab", List.of())));
        assertThatThrownBy(() -> TokenizerFiles.huggingFace(unigram, null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("unigram.json")
                .hasMessageContaining("Unigram");
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"model\": {");
        assertThatThrownBy(() -> TokenizerFiles.huggingFace(broken, null))
                .hasMessageContaining("broken.json")
                .hasMessageContaining("invalid JSON");
        Path dup = writeJson(
                "dup.json",
                Map.of("model", Map.of("type", "BPE", "vocab", Map.of("a", 0, "b", 0), "merges", List.of())));
        assertThatThrownBy(() -> TokenizerFiles.huggingFace(dup, null)).hasMessageContaining("dup.json");
        Path gap = writeJson(
                "gap.json",
                Map.of("model", Map.of("type", "BPE", "vocab", Map.of("a", 0, "b", 5), "merges", List.of())));
        assertThatThrownBy(() -> TokenizerFiles.huggingFace(gap, null))
                .hasMessageContaining("gap.json")
                .hasMessageContaining("outside");
        Path badMerges = dir.resolve("merges.txt");
        Files.writeString(badMerges, "#version: 0.2\nĠ t\nnospace\n");
        Path smallVocab = writeJson("vocab.json", Map.of("Ġ", 0, "t", 1, "Ġt", 2));
        assertThatThrownBy(() -> TokenizerFiles.gpt2(smallVocab, badMerges))
                .hasMessageContaining("merges.txt")
                .hasMessageContaining("line 3");
    }

    @Test
    void ggufWithAnUnknownTokenizerModelIsRejected() throws Exception {
        Path p = dir.resolve("bert.gguf");
        new GgufWriter()
                .put("tokenizer.ggml.model", "bert")
                .put("tokenizer.ggml.tokens", GgufValue.strings(new String[] {"a"}))
                .write(p);
        assertThatThrownBy(() -> GgufTokenizers.fromMetadata(GgufFile.open(p)))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("bert.gguf")
                .hasMessageContaining("\"bert\"");
    }
}
