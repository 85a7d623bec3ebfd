package dev.llmcw.tokenizer;

import dev.llmcw.model.ModelLoadException;

import java.nio.file.Path;

/**
 * Entry points for reading tokenizers from files: llama2.c tokenizer.bin, Hugging Face tokenizer.json
 * (+ tokenizer_config.json), and GGUF metadata. (Being filled in by the tokenizer work.)
 */
public final class TokenizerFiles {
    private TokenizerFiles() {}

    /** llama2.c tokenizer export (tok512.bin, tokenizer.bin): SentencePiece-style BPE with byte fallback. */
    public static Tokenizer llama2c(Path tokenizerBin, int vocabSize) {
        throw new ModelLoadException(tokenizerBin, "llama2.c tokenizers are not supported yet");
    }

    /** Hugging Face tokenizer.json; tokenizerConfig (tokenizer_config.json) may be null. */
    public static Tokenizer huggingFace(Path tokenizerJson, Path tokenizerConfig) {
        throw new ModelLoadException(tokenizerJson, "tokenizer.json is not supported yet");
    }
}
