package dev.llmcw.results;

import java.nio.file.Path;

/**
 * The per-user directory of the workbench: results database, hash cache, downloaded datasets and
 * models. {@code $WORKBENCH_HOME} (or system property {@code workbench.home}) wins; otherwise
 * {@code $XDG_DATA_HOME/llm-compression-workbench}, else {@code ~/.local/share/llm-compression-workbench}.
 */
public final class WorkbenchHome {
    private WorkbenchHome() {}

    public static Path dir() {
        String p = System.getProperty("workbench.home");
        if (p == null || p.isBlank()) p = System.getenv("WORKBENCH_HOME");
        if (p != null && !p.isBlank()) return Path.of(p).toAbsolutePath().normalize();
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank()
                ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("llm-compression-workbench").toAbsolutePath().normalize();
    }

    /** Default results database. */
    public static Path resultsDb() {
        return dir().resolve("results.db");
    }

    /** Where {@code download dataset} puts files by default and {@code DatasetCatalog} looks first. */
    public static Path datasetsDir() {
        return dir().resolve("datasets");
    }

    /** Where {@code download model} puts models by default. */
    public static Path modelsDir() {
        return dir().resolve("models");
    }
}
