package dev.llmcw.report;

import dev.llmcw.report.WorkbenchCharts.XAxisKind;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;

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

    /**
     * Per task and metric a bits/weight chart (and a size chart for accuracy and perplexity; when some of the
     * runs' models went through the deployment probe on this machine, the metric against decode tokens/s and
     * against memory too, as the Charts view draws them: the choice a user makes is often speed, not bits). Runs of
     * different models are not mixed on one chart: with several model families each gets its own charts,
     * named task-metric-vs-bits-model and titled with the model.
     */
    public static List<NamedChart> standard(
            List<RunRow> rows, List<LayerError> layerErrors, List<ReferencePoint> paper) {
        var out = new ArrayList<NamedChart>();
        var families = rows.stream().map(RunRow::model).distinct().toList();
        for (String family : families) {
            List<RunRow> own = families.size() == 1
                    ? rows
                    : rows.stream().filter(r -> r.model().equals(family)).toList();
            String suffix = families.size() == 1 ? "" : "-" + family;
            for (String task : tasks(own)) {
                for (String metric : metrics(own, task)) {
                    var pts = ChartPoints.of(own, task, metric);
                    var overlay = paper.stream()
                            .filter(p -> p.task().equalsIgnoreCase(task)
                                    && p.metric().equals(metric))
                            .toList();
                    out.add(named(
                            task + "-" + metric + "-vs-bits",
                            suffix,
                            family,
                            ChanceLevel.decorate(
                                    WorkbenchCharts.metricVsBits(task, metric, pts, overlay), task, metric, own)));
                    if (SIZE_CHART_METRICS.contains(metric)) {
                        out.add(named(
                                task + "-" + metric + "-vs-size",
                                suffix,
                                family,
                                ChanceLevel.decorate(
                                        WorkbenchCharts.accuracyVsSize(task, metric, pts), task, metric, own)));
                    }
                    if (pts.stream().anyMatch(p -> !Double.isNaN(p.decodeTokS()))) {
                        out.add(named(
                                task + "-" + metric + "-vs-decode",
                                suffix,
                                family,
                                WorkbenchCharts.metricVsDeployment(task, metric, pts, XAxisKind.DECODE_TOK_S)));
                        out.add(named(
                                task + "-" + metric + "-vs-memory",
                                suffix,
                                family,
                                WorkbenchCharts.metricVsDeployment(task, metric, pts, XAxisKind.MEMORY_MB)));
                    }
                }
            }
        }
        if (!layerErrors.isEmpty()) {
            var c = WorkbenchCharts.layerErrors(layerErrors);
            out.add(new NamedChart("layer-errors", c.getTitle().getText(), c));
        }
        return out;
    }

    private static NamedChart named(String name, String suffix, String family, JFreeChart c) {
        if (suffix.isEmpty()) return new NamedChart(fileName(name), c.getTitle().getText(), c);
        WorkbenchCharts.withModel(c, family);
        return new NamedChart(fileName(name + suffix), c.getTitle().getText() + " (" + family + ")", c);
    }

    static String fileName(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "_");
    }
}
