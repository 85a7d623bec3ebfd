package dev.llmcw.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmcw.TestData;
import dev.llmcw.util.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SentencePiece-style tokenizer.json (Llama 2 vocabulary with a merges list) against Hugging Face's
 * tokenizers library (tools/hf_metaspace_reference.py): the Prepend+Replace normalizer (TinyLlama,
 * Llama 2) and Metaspace pre-tokenizers with prepend_scheme "first" and "always"+split (Mistral and
 * newer conversions), including text around special tokens.
 */
class HfMetaspaceReferenceTest {
    @Test
    void everyVariantMatchesHuggingFaceTokenizers(@TempDir Path dir) throws Exception {
        JsonNode golden;
        try (var in = getClass().getResourceAsStream("/golden/tokenizer/hf_metaspace_variants.json")) {
            golden = Json.MAPPER.readTree(in);
        }
        var spm = (SentencePieceBpeTokenizer)
                TokenizerFiles.llama2c(TestData.require("tokenizers/llama2-32k/tokenizer.bin"), 32000);
        List<String> merges = derivedMerges(spm);
        assertThat(merges).hasSize(golden.get("merges_count").asInt());
        byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest(String.join("\n", merges).getBytes(StandardCharsets.UTF_8));
        assertThat(HexFormat.of().formatHex(digest))
                .as("same merges as the Python reference")
                .isEqualTo(golden.get("merges_sha256").asText());

        List<String> failures = new ArrayList<>();
        var names = golden.get("variants").fieldNames();
        int variants = 0;
        while (names.hasNext()) {
            String name = names.next();
            variants++;
            JsonNode spec = golden.get("variants").get(name);
            ObjectNode root = Json.MAPPER.createObjectNode();
            ArrayNode added = root.putArray("added_tokens");
            for (int i = 0; i < 3; i++)
                added.addObject().put("id", i).put("content", spm.piece(i)).put("special", true);
            root.set("normalizer", spec.get("normalizer"));
            root.set("pre_tokenizer", spec.get("pre_tokenizer"));
            ObjectNode model = root.putObject("model");
            model.put("type", "BPE").put("byte_fallback", true).put("unk_token", "<unk>");
            ObjectNode vocab = model.putObject("vocab");
            for (int i = 0; i < spm.vocabSize(); i++) vocab.put(spm.piece(i), i);
            ArrayNode m = model.putArray("merges");
            merges.forEach(m::add);
            Path json = dir.resolve(name + ".json");
            Files.writeString(json, Json.MAPPER.writeValueAsString(root));
            Tokenizer tok = TokenizerFiles.huggingFace(json, null);
            JsonNode texts = golden.get("texts"), ids = golden.get("ids").get(name);
            for (int i = 0; i < texts.size(); i++) {
                int[] want = new int[ids.get(i).size()];
                for (int k = 0; k < want.length; k++)
                    want[k] = ids.get(i).get(k).asInt();
                int[] got = tok.encode(texts.get(i).asText());
                if (!Arrays.equals(got, want)) {
                    failures.add(name + " #" + i + " "
                            + VocabTestVectors.escape(texts.get(i).asText()) + " want " + Arrays.toString(want)
                            + " got " + Arrays.toString(got));
                }
            }
        }
        assertThat(variants).isEqualTo(3);
        assertThat(failures).isEmpty();
    }

    /** transformers' LlamaConverter merges: every split of a piece into two pieces, ordered by the piece's score. */
    static List<String> derivedMerges(SentencePieceBpeTokenizer spm) {
        var ids = new HashMap<String, Integer>();
        for (int i = 0; i < spm.vocabSize(); i++) ids.putIfAbsent(spm.piece(i), i);
        record Merge(int idL, int idR, String text, float score) {}
        List<Merge> all = new ArrayList<>();
        for (int i = 0; i < spm.vocabSize(); i++) {
            if (spm.type(i) != SentencePieceBpeTokenizer.NORMAL) continue;
            String p = spm.piece(i);
            List<Merge> local = new ArrayList<>();
            for (int k = 1; k < p.length(); k++) {
                if (Character.isLowSurrogate(p.charAt(k))) continue;
                Integer l = ids.get(p.substring(0, k)), r = ids.get(p.substring(k));
                if (l != null && r != null)
                    local.add(new Merge(l, r, p.substring(0, k) + " " + p.substring(k), spm.score(i)));
            }
            local.sort(Comparator.comparingInt(Merge::idL).thenComparingInt(Merge::idR));
            all.addAll(local);
        }
        all.sort(Comparator.comparingDouble((Merge x) -> x.score).reversed());
        return all.stream().map(Merge::text).toList();
    }
}
