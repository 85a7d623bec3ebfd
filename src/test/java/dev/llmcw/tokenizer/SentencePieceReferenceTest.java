package dev.llmcw.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.TestData;
import dev.llmcw.model.gguf.GgufFile;
import dev.llmcw.model.gguf.GgufTokenizers;
import dev.llmcw.util.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * SentencePiece-style BPE against Google's sentencepiece library (tools/sentencepiece_reference.py):
 * the llama2.c exports and the llama-spm GGUF must encode llama.cpp's test strings, HellaSwag lines
 * and TinyStories paragraphs exactly as tokenizer.model / tok512.model do.
 */
class SentencePieceReferenceTest {
    private static JsonNode golden() throws Exception {
        try (var in = SentencePieceReferenceTest.class.getResourceAsStream(
                "/golden/tokenizer/sentencepiece_reference.json")) {
            return Json.MAPPER.readTree(in);
        }
    }

    private static List<String> mismatches(Tokenizer tok, JsonNode golden, String name, Predicate<String> compared) {
        List<String> bad = new ArrayList<>();
        JsonNode texts = golden.get("texts"), ids = golden.get("ids").get(name);
        int n = 0;
        for (int i = 0; i < texts.size(); i++) {
            if (!compared.test(texts.get(i).asText())) continue;
            n++;
            int[] want = new int[ids.get(i).size()];
            for (int k = 0; k < want.length; k++) want[k] = ids.get(i).get(k).asInt();
            String text = texts.get(i).asText();
            int[] got = tok.encode(text);
            if (!Arrays.equals(got, want))
                bad.add("#" + i + " " + VocabTestVectors.escape(text) + " want " + Arrays.toString(want) + " got "
                        + Arrays.toString(got));
            else if (!tok.decode(got).equals(text))
                bad.add("#" + i + " decode gives " + VocabTestVectors.escape(tok.decode(got)));
        }
        assertThat(n).isGreaterThan(140);
        return bad;
    }

    @Test
    void llama2TokenizerBinAndGgufMatchSentencePiece() throws Exception {
        JsonNode g = golden();
        assertThat(g.get("texts").size()).isGreaterThan(150);
        assertThat(mismatches(
                        TokenizerFiles.llama2c(TestData.require("tokenizers/llama2-32k/tokenizer.bin"), 32000),
                        g,
                        "llama2",
                        t -> true))
                .isEmpty();
        Tokenizer gguf = GgufTokenizers.fromMetadata(
                GgufFile.open(TestData.require("tokenizers/gguf-vocab/ggml-vocab-llama-spm.gguf")));
        assertThat(mismatches(gguf, g, "llama2", t -> true)).isEmpty();
    }

    /**
     * tok512.model was trained by llama2.c with SentencePiece's default remove_extra_whitespaces, so
     * sentencepiece strips and collapses spaces; llama2.c's run.c encode (which we follow, like llama.cpp)
     * does not. The two agree on every text without leading, trailing or doubled spaces.
     */
    @Test
    void tok512MatchesSentencePieceWhereWhitespaceIsNotCollapsed() throws Exception {
        assertThat(mismatches(
                        TokenizerFiles.llama2c(TestData.tok512(), 512),
                        golden(),
                        "tok512",
                        t -> !t.startsWith(" ") && !t.endsWith(" ") && !t.contains("  ")))
                .isEmpty();
    }
}
