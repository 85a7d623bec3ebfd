package dev.llmcw.app;

import dev.llmcw.compress.CompressionReport;
import dev.llmcw.model.Model;
import java.nio.file.Path;

/**
 * A model the session can evaluate: the opened base model or a compressed variant of it.
 *
 * @param report the compression that produced it (null for the base model)
 */
public record ModelHandle(String name, Path path, Model model, ModelCard card, CompressionReport report) {
    public boolean isBase() {
        return report == null;
    }

    public String method() {
        return report == null ? "base" : report.method();
    }

    @Override
    public String toString() {
        return name;
    }
}
