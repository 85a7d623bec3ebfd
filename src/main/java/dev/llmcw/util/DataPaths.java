package dev.llmcw.util;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared, read-only test data lives (models, tokenizers, evaluation sets). Resolution order:
 * system property {@code workbench.data}, environment variable {@code WORKBENCH_DATA}, then
 * {@code ../shared} relative to the working directory.
 */
public final class DataPaths {
    private DataPaths() {}

    public static Path sharedRoot() {
        String p = System.getProperty("workbench.data");
        if (p == null || p.isBlank()) p = System.getenv("WORKBENCH_DATA");
        if (p == null || p.isBlank()) p = "../shared";
        return Path.of(p).toAbsolutePath().normalize();
    }

    public static boolean sharedAvailable() {
        return Files.isDirectory(sharedRoot().resolve("models"));
    }

    public static Path shared(String relative) {
        return sharedRoot().resolve(relative);
    }
}
