package dev.llmcw.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --tokenizer}: shared by every command that loads a model (picocli mixin). */
final class TokenizerOption {
    @Option(
            names = "--tokenizer",
            paramLabel = "FILE",
            description = "tokenizer file (tokenizer.json or llama2.c .bin) when the model has none beside it")
    Path tokenizer;

    /** The file given, or null: the model's own tokenizer. */
    Path path() {
        return tokenizer;
    }
}
