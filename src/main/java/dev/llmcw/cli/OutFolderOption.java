package dev.llmcw.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --out} (required): the folder a command writes its files to (picocli mixin). */
final class OutFolderOption {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    Path dir() {
        return out;
    }
}
