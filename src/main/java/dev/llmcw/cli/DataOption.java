package dev.llmcw.cli;

import dev.llmcw.data.DatasetCatalog;
import dev.llmcw.util.DataPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data}: the folder the evaluation tasks read their datasets from (picocli mixin). */
final class DataOption {
    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "data folder laid out like shared/datasets or the repository's datasets/ (default: the shared datasets; "
                            + "suite and runs resume fall back to the repository's samples)")
    Path data;

    /** --data, else {@code defaultDir}. */
    Path dirOr(Path defaultDir) {
        return data != null ? data : defaultDir;
    }

    /** The shared datasets when present, else the repository's datasets/ (samples). */
    static Path sharedOrSamples() {
        Path shared = DataPaths.shared("datasets");
        if (Files.isDirectory(shared)) return shared;
        return DatasetCatalog.repositoryDatasetsDir().orElse(shared);
    }
}
