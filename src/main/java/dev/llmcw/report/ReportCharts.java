package dev.llmcw.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/** Which charts a set of runs gets (shared by the Charts view, the report and the CLI). */
public final class ReportCharts {
    private ReportCharts() {}

    /** Metrics worth a chart, in display order; a task gets a chart per metric its runs recorded. */
    public static final List<String> CHART_METRICS =
            List.of("acc", "acc_norm", "word_perplexity", "perplexity", "kl_mean", "top1_agreement");

    private static final List<String> SIZE_CHART_METRICS = List.of("acc", "acc_norm", "word_perplexity", "perplexity");

    /** Tasks in first-seen order. */
    public static List<String> tasks(List<RunRow> rows) {
        var t = new LinkedHashSet<String>();
        rows.forEach(r -> t.add(r.task()));
        return List.copyOf(t);
    }

    /** Chart metrics recorded by at least one run of {@code task}. */
    public static List<String> metrics(List<RunRow> rows, String task) {
        var out = new ArrayList<String>();
        for (String m : CHART_METRICS) {
            if (rows.stream().anyMatch(r -> r.task().equals(task) && !Double.isNaN(r.metric(m)))) out.add(m);
        }
        return out;
    }

    public static List<NamedChart> standard(List<RunRow> rows, List<LayerError> layerErrors, List<ReferencePoint> paper) {
        var out = new ArrayList<NamedChart>();
        for (String task : tasks(rows)) {
            for (String metric : metrics(rows, task)) {
                var pts = ChartPoints.of(rows, task, metric);
                var overlay = paper.stream().filter(p -> p.task().equalsIgnoreCase(task) && p.metric().equals(metric)).toList();
                var c = WorkbenchCharts.metricVsBits(task, metric, pts, overlay);
                out.add(new NamedChart(fileName(task + "-" + metric + "-vs-bits"), c.getTitle().getText(), c));
                if (SIZE_CHART_METRICS.contains(metric)) {
                    var s = WorkbenchCharts.accuracyVsSize(task, metric, pts);
                    out.add(new NamedChart(fileName(task + "-" + metric + "-vs-size"), s.getTitle().getText(), s));
                }
            }
        }
        if (!layerErrors.isEmpty()) {
            var c = WorkbenchCharts.layerErrors(layerErrors);
            out.add(new NamedChart("layer-errors", c.getTitle().getText(), c));
        }
        return out;
    }

    static String fileName(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "_");
    }
}
