package dev.llmcw.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.model.gguf.GgufFile;
import dev.llmcw.model.gguf.GgufTokenizers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Exact agreement with llama.cpp's tokenizer test vectors (expected ids produced by Hugging Face tokenizers). */
class GgufVocabConformanceTest {
    private static final String DIR = "tokenizers/gguf-vocab/";

    static VocabTestVectors vectors(String name) throws Exception {
        Path inp = TestData.require(DIR + name + ".inp");
        return VocabTestVectors.read(inp, TestData.require(DIR + name + ".out"));
    }

    @Test
    void llamaSpmMatchesEveryCase() throws Exception {
        var v = vectors("ggml-vocab-llama-spm.gguf");
        Tokenizer tok = GgufTokenizers.fromMetadata(GgufFile.open(TestData.require(DIR + "ggml-vocab-llama-spm.gguf")));
        assertThat(v.inputs()).hasSize(46);
        assertThat(v.mismatches(tok)).isEmpty();
        assertThat(tok.bosId()).isEqualTo(1);
        assertThat(tok.eosId()).isEqualTo(2);
        assertThat(tok.addsBosByDefault()).isTrue();
    }

    @Test
    void gpt2MatchesEveryCase() throws Exception {
        var v = vectors("ggml-vocab-gpt-2.gguf");
        Tokenizer tok = GgufTokenizers.fromMetadata(GgufFile.open(TestData.require(DIR + "ggml-vocab-gpt-2.gguf")));
        assertThat(v.inputs()).hasSize(46);
        assertThat(v.mismatches(tok)).isEmpty();
        assertThat(tok.eosId()).isEqualTo(50256);
        assertThat(tok.addsBosByDefault()).isFalse();
    }

    @Test
    void gpt2VocabJsonAndMergesAgreeWithTheGguf() throws Exception {
        var v = vectors("ggml-vocab-gpt-2.gguf");
        Tokenizer tok = TokenizerFiles.gpt2(
                TestData.require("tokenizers/gpt2/gpt2_vocab.json"), TestData.require("tokenizers/gpt2/vocab.bpe"));
        assertThat(tok.vocabSize()).isEqualTo(50257);
        assertThat(v.mismatches(tok)).isEmpty();
    }

    @Test
    void llama2cExportOfLlama2AgreesWithTheGguf() throws Exception {
        var v = vectors("ggml-vocab-llama-spm.gguf");
        Tokenizer tok = TokenizerFiles.llama2c(TestData.require("tokenizers/llama2-32k/tokenizer.bin"), 32000);
        assertThat(v.mismatches(tok)).isEmpty();
    }

    @Test
    void roundTripsDecodeOfEncode() throws Exception {
        var v = vectors("ggml-vocab-gpt-2.gguf");
        for (String f :
                new String[] {"ggml-vocab-gpt-neox.gguf", "ggml-vocab-gpt-2.gguf", "ggml-vocab-llama-spm.gguf"}) {
            Tokenizer tok = GgufTokenizers.fromMetadata(GgufFile.open(TestData.require(DIR + f)));
            for (String s : v.inputs()) {
                assertThat(tok.decode(tok.encode(s)))
                        .as(f + " " + VocabTestVectors.escape(s))
                        .isEqualTo(s);
            }
        }
    }
}
