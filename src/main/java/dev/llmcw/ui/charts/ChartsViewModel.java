package dev.llmcw.ui.charts;

import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.report.ChartExport;
import dev.llmcw.report.ChartPoints;
import dev.llmcw.report.LayerError;
import dev.llmcw.report.ReferencePoint;
import dev.llmcw.report.ReportCharts;
import dev.llmcw.report.ReportWriter;
import dev.llmcw.report.RunRow;
import dev.llmcw.report.WorkbenchCharts;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import org.jfree.chart.JFreeChart;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds the selected chart from the results rows (the same builders the CLI report uses) and
 * exports it. Paper-reported points are user input, drawn as an overlay and labelled as such.
 */
public final class ChartsViewModel {
    public enum Kind {
        METRIC_VS_BITS("Metric vs bits/weight"), METRIC_VS_SIZE("Metric vs model size"), LAYER_ERRORS("Per-layer reconstruction error");

        private final String label;

        Kind(String label) { this.label = label; }

        @Override
        public String toString() { return label; }
    }

    private final WorkbenchServices services;
    private final ObservableList<RunRow> rows;
    private final ObservableList<String> tasks = FXCollections.observableArrayList();
    private final ObservableList<String> metrics = FXCollections.observableArrayList();
    private final ObjectProperty<String> task = new SimpleObjectProperty<>();
    private final ObjectProperty<String> metric = new SimpleObjectProperty<>();
    private final ObjectProperty<Kind> kind = new SimpleObjectProperty<>(Kind.METRIC_VS_BITS);
    private final ObservableList<ReferencePoint> paperPoints = FXCollections.observableArrayList();
    private final ObjectProperty<JFreeChart> chart = new SimpleObjectProperty<>();
    private final StringProperty status = new SimpleStringProperty("");

    public ChartsViewModel(WorkbenchServices services, ObservableList<RunRow> rows) {
        this.services = services;
        this.rows = rows;
        rows.addListener((ListChangeListener<RunRow>) c -> rowsChanged());
        task.addListener((o, a, t) -> taskChanged());
        metric.addListener((o, a, m) -> rebuild());
        kind.addListener((o, a, k) -> rebuild());
        paperPoints.addListener((ListChangeListener<ReferencePoint>) c -> rebuild());
        rowsChanged();
    }

    private void rowsChanged() {
        String keep = task.get();
        tasks.setAll(ReportCharts.tasks(rows));
        if (keep != null && tasks.contains(keep)) taskChanged();
        else task.set(tasks.isEmpty() ? null : tasks.getFirst());
        if (tasks.isEmpty()) rebuild();
    }

    private void taskChanged() {
        String keep = metric.get();
        metrics.setAll(task.get() == null ? List.of() : ReportCharts.metrics(rows, task.get()));
        if (keep != null && metrics.contains(keep)) rebuild();
        else metric.set(metrics.isEmpty() ? null : metrics.getFirst());
        if (metrics.isEmpty()) rebuild();
    }

    /** Rebuilds the chart from the current rows and choices. */
    public void rebuild() {
        List<RunRow> current = List.copyOf(rows);
        if (kind.get() == Kind.LAYER_ERRORS) {
            List<LayerError> errs = services.results().layerErrors(current);
            chart.set(WorkbenchCharts.layerErrors(errs));
            status.set(errs.isEmpty() ? "No per-tensor errors recorded yet (they come with compressed models' evaluations)."
                    : errs.size() + " tensors");
            return;
        }
        if (task.get() == null || metric.get() == null) {
            chart.set(WorkbenchCharts.scatter("Accuracy vs bits per weight", WorkbenchCharts.metricAxisLabel("acc"), List.of(), List.of(),
                    WorkbenchCharts.XAxisKind.BITS_PER_WEIGHT, true));
            status.set("No results yet: evaluate a model to see points here.");
            return;
        }
        var pts = ChartPoints.of(current, task.get(), metric.get());
        var overlay = paperPoints.stream().filter(p -> p.task().equalsIgnoreCase(task.get()) && p.metric().equals(metric.get())).toList();
        chart.set(kind.get() == Kind.METRIC_VS_SIZE ? WorkbenchCharts.accuracyVsSize(task.get(), metric.get(), pts)
                : WorkbenchCharts.metricVsBits(task.get(), metric.get(), pts, overlay));
        status.set(pts.size() + " points" + (overlay.isEmpty() ? "" : " + " + overlay.size() + " paper-reported"));
    }

    /** Writes the current chart; the format follows the extension (.png, .svg, .pdf). */
    public void export(Path file) throws IOException {
        ChartExport.write(chart.get(), file, ChartExport.DEFAULT_WIDTH, ChartExport.DEFAULT_HEIGHT);
    }

    /** Writes the HTML/Markdown report with charts and data for {@code selection} (all rows when empty). */
    public ReportWriter.Output writeReport(List<RunRow> selection, Path dir) throws IOException {
        List<RunRow> chosen = selection.isEmpty() ? List.copyOf(rows) : selection;
        return ReportWriter.write(new ReportWriter.Input("LLM compression report", chosen,
                services.results().layerErrors(chosen), List.copyOf(paperPoints)), dir);
    }

    public ObservableList<String> tasks() { return tasks; }

    public ObservableList<String> metrics() { return metrics; }

    public ObjectProperty<String> taskProperty() { return task; }

    public ObjectProperty<String> metricProperty() { return metric; }

    public ObjectProperty<Kind> kindProperty() { return kind; }

    public ObservableList<ReferencePoint> paperPoints() { return paperPoints; }

    public ObjectProperty<JFreeChart> chartProperty() { return chart; }

    public StringProperty statusProperty() { return status; }
}
