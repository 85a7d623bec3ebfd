package dev.llmcw.report;

import dev.llmcw.results.BaseComparison;
import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.BuildInfo;
import dev.llmcw.util.CsvCells;
import dev.llmcw.util.Json;
import dev.llmcw.util.MarkupEscapes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Writes a report for selected runs into a folder: report.html and report.md (tables + charts),
 * charts/*.png and *.svg beside them, and the data as runs.csv and runs.json.
 */
public final class ReportWriter {
    private ReportWriter() {}

    /**
     * What to report on. {@code layerErrors} and {@code paper} may be empty. {@code figure}: null for the
     * screen size (960 × 600 PNG and SVG); a printed size writes PNG, SVG and PDF at that size.
     */
    public record Input(
            String title,
            List<RunRow> rows,
            List<LayerError> layerErrors,
            List<ReferencePoint> paper,
            FigureSize figure) {
        public Input {
            rows = List.copyOf(rows);
            layerErrors = List.copyOf(layerErrors);
            paper = List.copyOf(paper);
        }

        public Input(String title, List<RunRow> rows, List<LayerError> layerErrors, List<ReferencePoint> paper) {
            this(title, rows, layerErrors, paper, null);
        }
    }

    /** The files written; {@code paperCsv} is null when there are no paper points. */
    public record Output(Path html, Path markdown, Path csv, Path json, List<Path> charts, Path paperCsv) {}

    /**
     * Writes the report into {@code outDir} whole: it is built in a temporary sibling folder and renamed
     * into place, so a failure leaves the previous report as it was (see {@link ReportFolder}).
     */
    public static Output write(Input in, Path outDir) throws IOException {
        if (in.rows().isEmpty()) throw new IllegalArgumentException("no runs to report on");
        return ReportFolder.publish(outDir, dir -> writeInto(in, dir, outDir));
    }

    /** Writes the files into {@code dir}; the paths returned are those they will have in {@code finalDir}. */
    private static Output writeInto(Input in, Path dir, Path finalDir) throws IOException {
        Path outDir = dir;
        Files.createDirectories(outDir.resolve("charts"));
        var charts = ReportCharts.standard(in.rows(), in.layerErrors(), in.paper());
        var chartFiles = new ArrayList<Path>();
        for (NamedChart c : charts) {
            Path png = outDir.resolve("charts").resolve(c.name() + ".png");
            Path svg = outDir.resolve("charts").resolve(c.name() + ".svg");
            if (in.figure() == null) {
                ChartExport.png(c.chart(), png, ChartExport.DEFAULT_WIDTH, ChartExport.DEFAULT_HEIGHT);
                ChartExport.svg(c.chart(), svg, ChartExport.DEFAULT_WIDTH, ChartExport.DEFAULT_HEIGHT);
            } else {
                Path pdf = outDir.resolve("charts").resolve(c.name() + ".pdf");
                ChartExport.write(c.chart(), png, in.figure());
                ChartExport.write(c.chart(), svg, in.figure());
                ChartExport.write(c.chart(), pdf, in.figure());
                chartFiles.add(finalDir.resolve("charts").resolve(pdf.getFileName()));
            }
            chartFiles.add(finalDir.resolve("charts").resolve(png.getFileName()));
            chartFiles.add(finalDir.resolve("charts").resolve(svg.getFileName()));
        }
        AtomicFiles.writeString(outDir.resolve("runs.csv"), csv(in.rows()));
        AtomicFiles.writeString(
                outDir.resolve("runs.json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(jsonRows(in.rows())));
        Path paperCsv = null;
        if (!in.paper().isEmpty()) {
            // The overlay's data beside the runs' data: JSON in the same form the GUI keeps it, and CSV.
            ReferencePoints.write(outDir.resolve(ReferencePoints.FILE_NAME), in.paper());
            AtomicFiles.writeString(outDir.resolve("paper-points.csv"), ReferencePoints.csv(in.paper()));
            paperCsv = finalDir.resolve("paper-points.csv");
        }
        AtomicFiles.writeString(outDir.resolve("report.md"), markdown(in, charts));
        AtomicFiles.writeString(outDir.resolve("report.html"), html(in, charts));
        return new Output(
                finalDir.resolve("report.html"),
                finalDir.resolve("report.md"),
                finalDir.resolve("runs.csv"),
                finalDir.resolve("runs.json"),
                List.copyOf(chartFiles),
                paperCsv);
    }

    /** Metric columns present in the rows (value metrics, with their stderr folded into the cell). */
    static List<String> metricColumns(List<RunRow> rows) {
        var names = new TreeSet<String>();
        rows.forEach(r -> r.metrics().keySet().stream()
                .filter(k -> !k.endsWith("_stderr"))
                .forEach(names::add));
        var ordered = new ArrayList<String>();
        for (String m : ReportCharts.CHART_METRICS) if (names.remove(m)) ordered.add(m);
        ordered.addAll(names);
        return ordered;
    }

    static String cell(RunRow r, String metric) {
        return Formats.metric(metric, r.metric(metric), r.metric(metric + "_stderr"));
    }

    static String csv(List<RunRow> rows) {
        var metricNames = new TreeSet<String>();
        rows.forEach(r -> metricNames.addAll(r.metrics().keySet()));
        var sb = new StringBuilder("run_id,model,method,settings,bits_per_weight,total_bytes,task");
        metricNames.forEach(m -> sb.append(',').append(csvField(m)));
        sb.append('\n');
        for (RunRow r : rows) {
            sb.append(csvField(r.runId()))
                    .append(',')
                    .append(csvField(r.model()))
                    .append(',')
                    .append(csvField(r.method()))
                    .append(',')
                    .append(csvField(r.settings()))
                    .append(',')
                    .append(Double.isNaN(r.bitsPerWeight()) ? "" : Double.toString(r.bitsPerWeight()))
                    .append(',')
                    .append(r.totalBytes() < 0 ? "" : Long.toString(r.totalBytes()))
                    .append(',')
                    .append(csvField(r.task()));
            for (String m : metricNames) {
                double v = r.metric(m);
                sb.append(',').append(Double.isNaN(v) ? "" : Double.toString(v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String csvField(String s) {
        return CsvCells.cell(s);
    }

    private static List<Map<String, Object>> jsonRows(List<RunRow> rows) {
        var out = new ArrayList<Map<String, Object>>();
        for (RunRow r : rows) {
            var m = new LinkedHashMap<String, Object>();
            m.put("run_id", r.runId());
            m.put("model", r.model());
            m.put("method", r.method());
            m.put("parameters", new TreeMap<>(r.parameters()));
            m.put("bits_per_weight", Double.isNaN(r.bitsPerWeight()) ? null : r.bitsPerWeight());
            m.put("total_bytes", r.totalBytes() < 0 ? null : r.totalBytes());
            m.put("task", r.task());
            var metrics = new TreeMap<String, Object>();
            r.metrics().forEach((k, v) -> metrics.put(k, v.isNaN() || v.isInfinite() ? null : v));
            m.put("metrics", metrics);
            m.put("created_at", r.createdAt());
            m.put("protocol", r.protocol());
            if (r.vsBase() != null) {
                BaseComparison c = r.vsBase();
                var vs = new LinkedHashMap<String, Object>();
                vs.put("base_run_id", c.baseRunId());
                vs.put("metric", c.metric());
                vs.put("retained", Double.isFinite(c.retained()) ? c.retained() : null);
                vs.put("delta_points", c.deltaPoints());
                vs.put("paired_items", c.pairedItems());
                vs.put("only_base_right", c.onlyBaseRight());
                vs.put("only_this_right", c.onlyThisRight());
                vs.put("flips", c.flips());
                vs.put("mcnemar_p", Double.isNaN(c.pValue()) ? null : c.pValue());
                m.put("vs_base", vs);
            }
            out.add(m);
        }
        return out;
    }

    private static String generated() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS) + " by LLM Compression Workbench " + BuildInfo.version();
    }

    static String markdown(Input in, List<NamedChart> charts) {
        var sb = new StringBuilder();
        sb.append("# ").append(md(in.title())).append("\n\n");
        sb.append("Generated ")
                .append(generated())
                .append(". ")
                .append(in.rows().size())
                .append(" result rows. Data: [runs.csv](runs.csv), [runs.json](runs.json).\n\n");
        for (String task : ReportCharts.tasks(in.rows())) {
            var rows = in.rows().stream().filter(r -> r.task().equals(task)).toList();
            var metrics = metricColumns(rows);
            sb.append("## ").append(md(task)).append("\n\n");
            sb.append("| run | model | method | settings | protocol | bits/weight | size |");
            metrics.forEach(m -> sb.append(' ').append(md(m)).append(" |"));
            sb.append(" vs base (same protocol) |");
            sb.append("\n|---|---|---|---|---|---:|---:|");
            metrics.forEach(m -> sb.append("---:|"));
            sb.append("---|\n");
            for (RunRow r : rows) {
                sb.append("| ")
                        .append(md(r.runId()))
                        .append(" | ")
                        .append(md(r.model()))
                        .append(" | ")
                        .append(md(r.method()))
                        .append(" | ")
                        .append(md(r.settings()))
                        .append(" | ")
                        .append(md(r.protocol()))
                        .append(" | ")
                        .append(Formats.bits(r.bitsPerWeight()))
                        .append(" | ")
                        .append(Formats.size(r.totalBytes()))
                        .append(" |");
                metrics.forEach(m -> sb.append(' ').append(cell(r, m)).append(" |"));
                sb.append(' ').append(md(r.vsBaseText())).append(" |\n");
            }
            sb.append('\n');
            for (NamedChart c : charts) {
                if (c.name().startsWith(ReportCharts.fileName(task + "-"))) {
                    sb.append("![")
                            .append(md(c.title()))
                            .append("](charts/")
                            .append(c.name())
                            .append(".png)\n\n");
                }
            }
        }
        charts.stream()
                .filter(c -> c.name().equals("layer-errors"))
                .forEach(c -> sb.append("## Per-layer reconstruction error\n\n![")
                        .append(md(c.title()))
                        .append("](charts/layer-errors.png)\n\n"));
        if (!in.paper().isEmpty()) {
            sb.append("## Paper-reported reference points (entered by the user, not computed)\n\n")
                    .append("Data: [paper-points.csv](paper-points.csv), [paper-points.json](paper-points.json).\n\n")
                    .append("| source | method | task | metric | bits/weight | value |\n|---|---|---|---|---:|---:|\n");
            for (ReferencePoint p : in.paper()) {
                sb.append("| ")
                        .append(md(p.source()))
                        .append(" | ")
                        .append(md(p.method()))
                        .append(" | ")
                        .append(md(p.task()))
                        .append(" | ")
                        .append(md(p.metric()))
                        .append(" | ")
                        .append(Formats.bits(p.bitsPerWeight()))
                        .append(" | ")
                        .append(Formats.value(p.value()))
                        .append(" |\n");
            }
        }
        return sb.toString();
    }

    private static String md(String s) {
        return MarkupEscapes.markdown(s);
    }

    static String html(Input in, List<NamedChart> charts) {
        var sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(in.title()))
                .append("</title>\n<style>\n")
                .append(
                        "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;color:#222}\n")
                .append(
                        "table{border-collapse:collapse;margin:1em 0;font-size:13px}th,td{border:1px solid #ccc;padding:4px 8px}\n")
                .append(
                        "th{background:#f0f3f7;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}\n")
                .append(
                        "img{max-width:100%;border:1px solid #e4e4e4;margin:0.5em 0}h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd}\n")
                .append(".meta{color:#666;font-size:12px}\n</style></head><body>\n");
        sb.append("<h1>")
                .append(esc(in.title()))
                .append("</h1>\n<p class=\"meta\">Generated ")
                .append(esc(generated()))
                .append(". ")
                .append(in.rows().size())
                .append(" result rows. Data: <a href=\"runs.csv\">runs.csv</a>, ")
                .append("<a href=\"runs.json\">runs.json</a>.</p>\n");
        for (String task : ReportCharts.tasks(in.rows())) {
            var rows = in.rows().stream().filter(r -> r.task().equals(task)).toList();
            var metrics = metricColumns(rows);
            sb.append("<h2>")
                    .append(esc(task))
                    .append(
                            "</h2>\n<table>\n<tr><th>run</th><th>model</th><th>method</th><th>settings</th><th>protocol</th>")
                    .append("<th>bits/weight</th><th>size</th>");
            metrics.forEach(m -> sb.append("<th>").append(esc(m)).append("</th>"));
            sb.append("<th>vs base (same protocol)</th></tr>\n");
            for (RunRow r : rows) {
                sb.append("<tr><td>")
                        .append(esc(r.runId()))
                        .append("</td><td>")
                        .append(esc(r.model()))
                        .append("</td><td>")
                        .append(esc(r.method()))
                        .append("</td><td>")
                        .append(esc(r.settings()))
                        .append("</td><td>")
                        .append(esc(r.protocol()))
                        .append("</td><td class=\"num\">")
                        .append(Formats.bits(r.bitsPerWeight()))
                        .append("</td><td class=\"num\">")
                        .append(Formats.size(r.totalBytes()))
                        .append("</td>");
                metrics.forEach(m ->
                        sb.append("<td class=\"num\">").append(esc(cell(r, m))).append("</td>"));
                sb.append("<td>").append(esc(r.vsBaseText())).append("</td></tr>\n");
            }
            sb.append("</table>\n");
            for (NamedChart c : charts) {
                if (c.name().startsWith(ReportCharts.fileName(task + "-"))) {
                    sb.append("<figure><img src=\"charts/")
                            .append(c.name())
                            .append(".svg\" alt=\"")
                            .append(esc(c.title()))
                            .append("\"><figcaption>")
                            .append(esc(c.title()))
                            .append(" (<a href=\"charts/")
                            .append(c.name())
                            .append(".png\">PNG</a>)</figcaption></figure>\n");
                }
            }
        }
        charts.stream()
                .filter(c -> c.name().equals("layer-errors"))
                .forEach(c -> sb.append(
                                "<h2>Per-layer reconstruction error</h2>\n<img src=\"charts/layer-errors.svg\" alt=\"")
                        .append(esc(c.title()))
                        .append("\">\n"));
        if (!in.paper().isEmpty()) {
            sb.append(
                            "<h2>Paper-reported reference points</h2>\n<p class=\"meta\">Entered by the user, not computed. Data: ")
                    .append(
                            "<a href=\"paper-points.csv\">paper-points.csv</a>, <a href=\"paper-points.json\">paper-points.json</a>.</p>\n")
                    .append(
                            "<table><tr><th>source</th><th>method</th><th>task</th><th>metric</th><th>bits/weight</th><th>value</th></tr>\n");
            for (ReferencePoint p : in.paper()) {
                sb.append("<tr><td>")
                        .append(esc(p.source()))
                        .append("</td><td>")
                        .append(esc(p.method()))
                        .append("</td><td>")
                        .append(esc(p.task()))
                        .append("</td><td>")
                        .append(esc(p.metric()))
                        .append("</td><td class=\"num\">")
                        .append(Formats.bits(p.bitsPerWeight()))
                        .append("</td><td class=\"num\">")
                        .append(Formats.value(p.value()))
                        .append("</td></tr>\n");
            }
            sb.append("</table>\n");
        }
        sb.append("</body></html>\n");
        return sb.toString();
    }

    static String esc(String s) {
        return MarkupEscapes.html(s);
    }
}
