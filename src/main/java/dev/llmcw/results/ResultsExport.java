package dev.llmcw.results;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmcw.util.CsvCells;
import dev.llmcw.util.Json;
import dev.llmcw.util.MarkupEscapes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes stored runs as lm-evaluation-harness style results JSON, CSV (one row per run and metric)
 * or a Markdown table (one row per run, one column per metric).
 */
public final class ResultsExport {
    private ResultsExport() {}

    public enum Format {
        JSON,
        CSV,
        MD
    }

    public static String export(List<RunRecord> runs, Format format) {
        return switch (format) {
            case JSON -> lmEvalJson(runs);
            case CSV -> csv(runs);
            case MD -> markdown(runs);
        };
    }

    /**
     * lm-eval's results layout: {@code results.<task>."acc,none"}, {@code "acc_stderr,none"}, …,
     * {@code versions}, {@code n-samples}, {@code config}, plus a {@code workbench} block with the
     * compression setting, size and run ids. Runs are grouped into one document per evaluated
     * configuration (weights, method, parameters, options); several configurations are written as
     * {@code {"configurations": [doc, …]}}. Within a configuration the newest run of a task wins.
     */
    public static String lmEvalJson(List<RunRecord> runs) {
        Map<String, List<RunRecord>> groups = new LinkedHashMap<>();
        for (RunRecord r : sorted(runs)) {
            String key = r.spec().modelHash() + "|" + r.settingLabel() + "|"
                    + Json.write(r.spec().options());
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        List<ObjectNode> docs =
                groups.values().stream().map(ResultsExport::lmEvalDoc).toList();
        try {
            var w = Json.MAPPER.writerWithDefaultPrettyPrinter();
            if (docs.size() == 1) return w.writeValueAsString(docs.getFirst());
            ObjectNode top = Json.MAPPER.createObjectNode();
            ArrayNode arr = top.putArray("configurations");
            docs.forEach(arr::add);
            return w.writeValueAsString(top);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write results JSON: " + e.getMessage(), e);
        }
    }

    /**
     * One configuration's document: the harness layout comes from the evaluator's own writer
     * ({@link dev.llmcw.eval.export.ResultsExport#lmEvalJson}), so stored and freshly computed
     * results export identically; the {@code workbench} block adds setting, size and run ids.
     */
    private static ObjectNode lmEvalDoc(List<RunRecord> runs) {
        // newest run per task: runs are sorted by id ascending, so later ones overwrite
        Map<String, RunRecord> byTask = new LinkedHashMap<>();
        for (RunRecord r : runs) byTask.put(r.task(), r);
        RunRecord first = runs.getFirst();
        RunSpec s = first.spec();
        Map<String, Object> config = dev.llmcw.eval.export.ResultsExport.config(
                "model",
                "llm-compression-workbench",
                "model_args",
                "pretrained=" + s.modelPath(),
                "limit",
                s.options().limit(),
                "sample",
                s.options().sample(),
                "random_seed",
                s.options().seed(),
                "add_bos_token",
                s.options().bos(),
                "max_length",
                s.options().maxLength(),
                "num_fewshot",
                0);
        ObjectNode doc;
        try {
            doc = (ObjectNode) Json.MAPPER.readTree(dev.llmcw.eval.export.ResultsExport.lmEvalJson(
                    byTask.values().stream().map(RunRecord::toTaskMetrics).toList(), null, config));
        } catch (IOException e) {
            throw new IllegalStateException("cannot re-read results JSON: " + e.getMessage(), e);
        }
        ArrayNode ids = Json.MAPPER.createArrayNode();
        byTask.values().forEach(r -> ids.add(r.id()));
        ObjectNode wb = doc.putObject("workbench");
        wb.put("model_label", s.modelLabel());
        wb.put("model_hash", s.modelHash());
        wb.put("method", s.method());
        wb.set("method_params", Json.MAPPER.valueToTree(s.methodParams()));
        if (first.bitsPerWeight() != null) wb.put("bits_per_weight", first.bitsPerWeight());
        if (first.totalBytes() != null) wb.put("total_bytes", first.totalBytes());
        wb.set("options", Json.MAPPER.valueToTree(s.options()));
        wb.put("code_version", first.codeVersion());
        wb.set("run_ids", ids);
        return doc;
    }

    private static void putNumber(ObjectNode n, String field, double v) {
        if (Double.isFinite(v)) n.put(field, v);
        else n.putNull(field); // JSON has no NaN/Infinity
    }

    /** One row per run and metric. */
    public static String csv(List<RunRecord> runs) {
        var sb = new StringBuilder("run_id,created,model,model_hash,method,params,bits_per_weight,total_bytes,"
                + "task,task_version,items,limit,bos,status,metric,value,stderr\n");
        for (RunRecord r : sorted(runs)) {
            List<RunRecord.Metric> metrics = r.metrics().isEmpty() ? Collections.singletonList(null) : r.metrics();
            for (RunRecord.Metric m : metrics) {
                List<String> cells = List.of(
                        Long.toString(r.id()),
                        r.created().toString(),
                        r.modelLabel(),
                        nz(r.spec().modelHash()),
                        r.method(),
                        paramsText(r.methodParams()),
                        num(r.bitsPerWeight()),
                        r.totalBytes() == null ? "" : r.totalBytes().toString(),
                        r.task(),
                        nz(r.taskVersion()),
                        r.items() == null ? "" : r.items().toString(),
                        r.spec().options().limit() == null
                                ? ""
                                : r.spec().options().limit().toString(),
                        r.spec().options().bos() == null
                                ? ""
                                : r.spec().options().bos().toString(),
                        r.status().dbName(),
                        m == null ? "" : m.name(),
                        m == null ? "" : num(m.value()),
                        m == null ? "" : num(m.stderr()));
                sb.append(String.join(
                                ",", cells.stream().map(ResultsExport::csvCell).toList()))
                        .append('\n');
            }
        }
        return sb.toString();
    }

    /** One row per run; one column per metric name present, "value ± stderr". */
    public static String markdown(List<RunRecord> runs) {
        List<RunRecord> rs = sorted(runs);
        TreeSet<String> names = new TreeSet<>();
        rs.forEach(r -> r.metrics().forEach(m -> names.add(m.name())));
        var sb = new StringBuilder("| run | model | method | params | bits/weight | size (MB) | task | items |");
        names.forEach(n -> sb.append(' ').append(md(n)).append(" |"));
        sb.append("\n|---:|---|---|---|---:|---:|---|---:|");
        names.forEach(n -> sb.append("---:|"));
        sb.append('\n');
        for (RunRecord r : rs) {
            sb.append("| ")
                    .append(r.id())
                    .append(" | ")
                    .append(md(r.modelLabel()))
                    .append(" | ")
                    .append(md(r.method()))
                    .append(" | ")
                    .append(md(paramsText(r.methodParams())))
                    .append(" | ")
                    .append(r.bitsPerWeight() == null ? "" : String.format(Locale.ROOT, "%.3f", r.bitsPerWeight()))
                    .append(" | ")
                    .append(r.totalBytes() == null ? "" : String.format(Locale.ROOT, "%.2f", r.totalBytes() / 1e6))
                    .append(" | ")
                    .append(md(r.task()))
                    .append(" | ")
                    .append(r.items() == null ? "" : r.items())
                    .append(" |");
            for (String n : names) {
                var m = r.metric(n);
                sb.append(' ');
                if (m.isPresent()) {
                    sb.append(String.format(Locale.ROOT, "%.4f", m.get().value()));
                    if (m.get().stderr() != null)
                        sb.append(String.format(Locale.ROOT, " ± %.4f", m.get().stderr()));
                }
                sb.append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static List<RunRecord> sorted(List<RunRecord> runs) {
        return runs.stream().sorted(Comparator.comparingLong(RunRecord::id)).toList();
    }

    static String paramsText(Map<String, String> p) {
        var sb = new StringBuilder();
        p.forEach((k, v) ->
                sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }

    private static String num(Double v) {
        if (v == null) return "";
        if (v.isNaN()) return "nan";
        return Double.toString(v);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String csvCell(String s) {
        return CsvCells.cell(s);
    }

    private static String md(String s) {
        return MarkupEscapes.markdown(s);
    }
}
