package dev.llmcw.report;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Paper-reported points kept in a small JSON file (the GUI's {@code paper-points.json} in the
 * workspace), so numbers the user typed in survive a restart and can be handed to a report. The
 * file is a JSON array of {@link ReferencePoint}s; writes go through a temporary file and a move.
 */
public final class ReferencePoints {
    private ReferencePoints() {}

    /** The file name inside a workspace folder. */
    public static final String FILE_NAME = "paper-points.json";

    /** Points in {@code file}; empty when it does not exist. A malformed file is an error naming the file. */
    public static List<ReferencePoint> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return List.of();
        try {
            List<ReferencePoint> pts =
                    Json.MAPPER.readValue(file.toFile(), new TypeReference<List<ReferencePoint>>() {});
            for (ReferencePoint p : pts) validate(p);
            return List.copyOf(pts);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new IOException(file + ": not a list of paper points: " + e.getMessage(), e);
        }
    }

    public static void write(Path file, List<ReferencePoint> points) throws IOException {
        AtomicFiles.writeString(
                file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(new ArrayList<>(points)));
    }

    /** Throws IllegalArgumentException when a point lacks a method or task or has a non-finite number. */
    public static ReferencePoint validate(ReferencePoint p) {
        if (p.method() == null || p.method().isBlank())
            throw new IllegalArgumentException("a paper point needs a method");
        if (p.task() == null || p.task().isBlank()) throw new IllegalArgumentException("a paper point needs a task");
        if (p.metric() == null || p.metric().isBlank())
            throw new IllegalArgumentException("a paper point needs a metric");
        if (!Double.isFinite(p.bitsPerWeight()) || p.bitsPerWeight() <= 0) {
            throw new IllegalArgumentException("bits/weight must be a positive number");
        }
        if (!Double.isFinite(p.value())) throw new IllegalArgumentException("value must be a number");
        return p;
    }

    /** CSV of the points (source, method, task, metric, bits_per_weight, value), for reports. */
    public static String csv(List<ReferencePoint> points) {
        var sb = new StringBuilder("source,method,task,metric,bits_per_weight,value\n");
        for (ReferencePoint p : points) {
            sb.append(field(p.source()))
                    .append(',')
                    .append(field(p.method()))
                    .append(',')
                    .append(field(p.task()))
                    .append(',')
                    .append(field(p.metric()))
                    .append(',')
                    .append(String.format(Locale.ROOT, "%s,%s", p.bitsPerWeight(), p.value()))
                    .append('\n');
        }
        return sb.toString();
    }

    private static String field(String s) {
        return ReportWriter.csvField(s);
    }
}
