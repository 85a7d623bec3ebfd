package dev.llmcw.eval.export;

import dev.llmcw.eval.TaskMetrics;
import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.CsvCells;
import dev.llmcw.util.Json;
import dev.llmcw.util.MarkupEscapes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writers for evaluation results: lm-eval's results JSON layout, CSV (one row per metric) and a
 * Markdown table in the shape of lm-eval's make_table. The "none" filter suffix is lm-eval's for tasks
 * without filters; stderr of perplexity metrics is "N/A" as lm-eval writes it.
 */
public final class ResultsExport {
    private static final Set<String> LOWER_IS_BETTER = Set.of(
            "word_perplexity",
            "byte_perplexity",
            "bits_per_byte",
            "perplexity",
            "kl_mean",
            "kl_median",
            "kl_p99",
            "flips");
    /** Metrics whose stderr lm-eval writes as "N/A" (not bootstrappable aggregations). */
    private static final Set<String> NA_STDERR = Set.of("word_perplexity", "byte_perplexity", "bits_per_byte");

    private ResultsExport() {}

    /** Primary metrics (not the *_stderr entries) in their order. */
    static List<String> primary(TaskMetrics t) {
        return t.metrics().keySet().stream().filter(k -> !k.endsWith("_stderr")).toList();
    }

    /** lm-eval's results JSON ({@link LmEvalResultsJson}), pretty-printed. */
    public static String lmEvalJson(
            List<TaskMetrics> results, List<TaskMetrics> baseResults, Map<String, Object> config) {
        try {
            return Json.MAPPER
                    .writerWithDefaultPrettyPrinter()
                    .writeValueAsString(LmEvalResultsJson.build(results, baseResults, config));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CSV: model,task,version,items,metric,value,stderr — one row per primary metric. */
    public static String csv(String model, List<TaskMetrics> results) {
        StringBuilder sb = new StringBuilder("model,task,version,items,metric,value,stderr\n");
        for (TaskMetrics t : results) {
            for (String m : primary(t)) {
                Double se = t.metrics().get(m + "_stderr");
                sb.append(csvField(model))
                        .append(',')
                        .append(csvField(t.task()))
                        .append(',')
                        .append(csvField(t.taskVersion()))
                        .append(',')
                        .append(t.items())
                        .append(',')
                        .append(csvField(m))
                        .append(',')
                        .append(num(t.metrics().get(m)))
                        .append(',')
                        .append(se == null ? "" : num(se))
                        .append('\n');
            }
        }
        return sb.toString();
    }

    /** Markdown table in lm-eval's make_table layout (Tasks, Version, Filter, n-shot, Metric, ↑/↓, Value, ±, Stderr). */
    public static String markdown(List<TaskMetrics> results) {
        List<String[]> rows = new ArrayList<>();
        for (TaskMetrics t : results) {
            boolean first = true;
            for (String m : primary(t)) {
                Double se = t.metrics().get(m + "_stderr");
                rows.add(new String[] {
                    first ? t.task() : "",
                    first ? t.taskVersion() : "",
                    "none",
                    "0",
                    m,
                    LOWER_IS_BETTER.contains(m) ? "↓" : "↑",
                    fmt(t.metrics().get(m)),
                    se == null ? "" : "±",
                    se == null ? (NA_STDERR.contains(m) ? "N/A" : "") : fmt(se)
                });
                first = false;
            }
        }
        String[] head = {"Tasks", "Version", "Filter", "n-shot", "Metric", "", "Value", "", "Stderr"};
        boolean[] right = {false, true, false, true, false, false, true, false, true};
        int[] w = new int[head.length];
        for (int c = 0; c < head.length; c++) {
            w[c] = Math.max(3, head[c].length());
            for (String[] r : rows) w[c] = Math.max(w[c], r[c].length());
        }
        StringBuilder sb = new StringBuilder();
        line(sb, head, w, right);
        sb.append('|');
        for (int c = 0; c < head.length; c++)
            sb.append(right[c] ? "-".repeat(w[c] - 1) + ":" : "-".repeat(w[c])).append('|');
        sb.append('\n');
        for (String[] r : rows) line(sb, r, w, right);
        return sb.toString();
    }

    private static void line(StringBuilder sb, String[] cells, int[] w, boolean[] right) {
        sb.append('|');
        for (int c = 0; c < cells.length; c++) {
            String pad = " ".repeat(w[c] - cells[c].length());
            sb.append(right[c] ? pad + cells[c] : cells[c] + pad).append('|');
        }
        sb.append('\n');
    }

    static String fmt(Double v) {
        if (v == null || v.isNaN()) return "N/A";
        return String.format(Locale.ROOT, Math.abs(v) >= 1000 ? "%.2f" : "%.4f", v);
    }

    private static String num(Double v) {
        if (v == null || v.isNaN() || v.isInfinite()) return "";
        return Double.toString(v);
    }

    private static String csvField(String s) {
        return CsvCells.cell(s);
    }

    /** Writes results.json, results.csv and results.md into {@code dir}. */
    public static void writeAll(
            Path dir,
            String model,
            List<TaskMetrics> results,
            List<TaskMetrics> baseResults,
            Map<String, Object> config) {
        try {
            Files.createDirectories(dir);
            AtomicFiles.writeString(dir.resolve("results.json"), lmEvalJson(results, baseResults, config));
            AtomicFiles.writeString(dir.resolve("results.csv"), csv(model, results));
            StringBuilder md =
                    new StringBuilder("## " + MarkupEscapes.markdown(model) + "\n\n").append(markdown(results));
            if (baseResults != null && !baseResults.isEmpty())
                md.append("\n## base\n\n").append(markdown(baseResults));
            AtomicFiles.writeString(dir.resolve("results.md"), md.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Convenience for config maps with insertion order. */
    public static Map<String, Object> config(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) m.put(String.valueOf(kv[i]), kv[i + 1]);
        return m;
    }
}
