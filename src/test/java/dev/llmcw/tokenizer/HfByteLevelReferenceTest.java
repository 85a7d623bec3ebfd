package dev.llmcw.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmcw.TestData;
import dev.llmcw.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte-level tokenizer.json handling against Hugging Face's tokenizers library
 * (tools/hf_tokenizers_reference.py): GPT-2's vocabulary under GPT-2, prefix-space, Llama 3
 * (Split + ignore_merges), Qwen2 (NFC + Split) and SmolLM (Digits) pre-tokenization. The fixture
 * stores each configuration; this test assembles the same tokenizer.json from the shared vocabulary.
 */
class HfByteLevelReferenceTest {
    @Test
    void everyVariantMatchesHuggingFaceTokenizers(@TempDir Path dir) throws Exception {
        JsonNode golden;
        try (var in = getClass().getResourceAsStream("/golden/tokenizer/hf_bytelevel_variants.json")) {
            golden = Json.MAPPER.readTree(in);
        }
        JsonNode vocab = Json.MAPPER.readTree(
                TestData.require("tokenizers/gpt2/gpt2_vocab.json").toFile());
        List<String> lines = Files.readAllLines(TestData.require("tokenizers/gpt2/vocab.bpe"));
        List<String> texts = new ArrayList<>();
        golden.get("texts").forEach(t -> texts.add(t.asText()));
        assertThat(texts).hasSizeGreaterThan(150);
        List<String> failures = new ArrayList<>();
        var names = golden.get("variants").fieldNames();
        int variants = 0;
        while (names.hasNext()) {
            String name = names.next();
            variants++;
            JsonNode spec = golden.get("variants").get(name);
            ObjectNode root = Json.MAPPER.createObjectNode();
            root.putArray("added_tokens")
                    .addObject()
                    .put("id", 50256)
                    .put("content", "<|endoftext|>")
                    .put("special", true);
            root.set("normalizer", spec.get("normalizer"));
            root.set("pre_tokenizer", spec.get("pre_tokenizer"));
            root.putObject("decoder").put("type", "ByteLevel");
            ObjectNode model = root.putObject("model");
            model.put("type", "BPE")
                    .put("ignore_merges", spec.path("ignore_merges").asBoolean(false));
            model.set("vocab", vocab);
            var merges = model.putArray("merges");
            for (String l : lines.subList(1, lines.size())) if (!l.isEmpty()) merges.add(l);
            Path json = dir.resolve(name + ".json");
            Files.writeString(json, Json.MAPPER.writeValueAsString(root));
            Tokenizer tok = TokenizerFiles.huggingFace(json, null);
            JsonNode ids = golden.get("ids").get(name);
            for (int i = 0; i < texts.size(); i++) {
                int[] want = new int[ids.get(i).size()];
                for (int k = 0; k < want.length; k++)
                    want[k] = ids.get(i).get(k).asInt();
                int[] got = tok.encode(texts.get(i));
                if (!Arrays.equals(got, want)) {
                    failures.add(name + " #" + i + " " + VocabTestVectors.escape(texts.get(i)) + "\n  want "
                            + Arrays.toString(want) + "\n  got  " + Arrays.toString(got));
                }
            }
        }
        assertThat(variants).isEqualTo(5);
        assertThat(failures).isEmpty();
    }
}
