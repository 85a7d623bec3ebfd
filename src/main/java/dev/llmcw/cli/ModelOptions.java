package dev.llmcw.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --model} (required) and {@code --tokenizer}: the model a command works on (picocli mixin). */
final class ModelOptions {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "MODEL",
            description = "model: llama2.c file, Hugging Face folder, GGUF file or compressed model file")
    Path model;

    @Mixin
    TokenizerOption tokenizer = new TokenizerOption();

    Path model() {
        return model;
    }

    /** --tokenizer, or null. */
    Path tokenizer() {
        return tokenizer.path();
    }
}
