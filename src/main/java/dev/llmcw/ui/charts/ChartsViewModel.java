package dev.llmcw.ui.charts;

import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.report.ChanceLevel;
import dev.llmcw.report.ChartExport;
import dev.llmcw.report.ChartPoints;
import dev.llmcw.report.ChartProtocols;
import dev.llmcw.report.LayerError;
import dev.llmcw.report.ReferencePoint;
import dev.llmcw.report.ReferencePoints;
import dev.llmcw.report.ReportCharts;
import dev.llmcw.report.ReportWriter;
import dev.llmcw.report.RunRow;
import dev.llmcw.report.WorkbenchCharts;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.title.TextTitle;

/**
 * Builds the selected chart from the results rows (the same builders the CLI report uses) and
 * exports it. Paper-reported points are user input, drawn as an overlay and labelled as such.
 */
public final class ChartsViewModel {
    public enum Kind {
        METRIC_VS_BITS("Metric vs bits/weight"),
        METRIC_VS_SIZE("Metric vs model size"),
        METRIC_VS_DECODE("Metric vs decode speed"),
        METRIC_VS_MEMORY("Metric vs memory"),
        LAYER_ERRORS("Per-layer reconstruction error");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final WorkbenchServices services;
    private final ObservableList<RunRow> rows;
    /** The model choice that shows every model's runs together. */
    public static final String ALL_MODELS = "All models";
    /** The protocol choice that draws runs of every protocol (each protocol its own series). */
    public static final String ALL_PROTOCOLS = "All protocols";

    private final ObservableList<String> models = FXCollections.observableArrayList();
    private final ObjectProperty<String> model = new SimpleObjectProperty<>();
    private final ObservableList<String> tasks = FXCollections.observableArrayList();
    private final ObservableList<String> metrics = FXCollections.observableArrayList();
    private final ObjectProperty<String> task = new SimpleObjectProperty<>();
    private final ObjectProperty<String> metric = new SimpleObjectProperty<>();
    private final ObservableList<String> protocols = FXCollections.observableArrayList();
    private final ObjectProperty<String> protocol = new SimpleObjectProperty<>();
    private final ObjectProperty<Kind> kind = new SimpleObjectProperty<>(Kind.METRIC_VS_BITS);
    private final ObservableList<ReferencePoint> paperPoints = FXCollections.observableArrayList();
    private final ObjectProperty<JFreeChart> chart = new SimpleObjectProperty<>();
    private final StringProperty status = new SimpleStringProperty("");

    private final Path paperFile;
    private ObservableList<RunRow> selection = FXCollections.observableArrayList();
    private final StringProperty paperStatus = new SimpleStringProperty("");

    /** Paper points persist in {@code paper-points.json} of the workspace. */
    public ChartsViewModel(WorkbenchServices services, ObservableList<RunRow> rows) {
        this(
                services,
                rows,
                services.workspace() == null ? null : services.workspace().resolve(ReferencePoints.FILE_NAME));
    }

    /** @param paperFile where the paper-reported points are kept across sessions (null: this session only) */
    public ChartsViewModel(WorkbenchServices services, ObservableList<RunRow> rows, Path paperFile) {
        this.services = services;
        this.rows = rows;
        this.paperFile = paperFile;
        if (paperFile != null) {
            try {
                paperPoints.setAll(ReferencePoints.read(paperFile));
                if (!paperPoints.isEmpty()) paperStatus.set(paperPoints.size() + " points from " + paperFile);
            } catch (IOException e) {
                // Keep the file as it is (it is the user's data) and say why nothing was loaded.
                paperStatus.set("Not loaded: " + e.getMessage());
            }
        }
        rows.addListener((ListChangeListener<RunRow>) c -> rowsChanged());
        model.addListener((o, a, m) -> modelChanged());
        task.addListener((o, a, t) -> taskChanged());
        metric.addListener((o, a, m) -> rebuild());
        protocol.addListener((o, a, p) -> rebuild());
        kind.addListener((o, a, k) -> rebuild());
        paperPoints.addListener((ListChangeListener<ReferencePoint>) c -> {
            savePaperPoints();
            rebuild();
        });
        rowsChanged();
    }

    private void savePaperPoints() {
        if (paperFile == null) return;
        try {
            ReferencePoints.write(paperFile, List.copyOf(paperPoints));
            paperStatus.set(paperPoints.size() + " points, saved in " + paperFile);
        } catch (IOException e) {
            paperStatus.set("Could not save: " + e.getMessage());
        }
    }

    /**
     * Adds a paper point for the chart's current task and metric from the form's text; returns null
     * when added, else what is wrong with the input.
     */
    public String addPaperPoint(String source, String method, String bits, String value) {
        if (task.get() == null || metric.get() == null)
            return "choose a task and metric first (evaluate something to get one)";
        try {
            var p = ReferencePoints.validate(new ReferencePoint(
                    source == null || source.isBlank() ? "paper" : source.trim(),
                    method == null ? "" : method.trim(),
                    task.get(),
                    metric.get(),
                    Double.parseDouble(bits.trim()),
                    Double.parseDouble(value.trim())));
            paperPoints.add(p);
            return null;
        } catch (NumberFormatException e) {
            return "bits and value must be numbers";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * Runs of different models do not belong on one chart (their accuracies and reference lines are not
     * comparable): the chart shows one model family at a time, at first the one evaluated last, and
     * "All models" only on request.
     */
    private void rowsChanged() {
        var names =
                selectedRows().stream().map(RunRow::model).distinct().sorted().toList();
        var choices = new ArrayList<String>();
        if (names.size() > 1) choices.add(ALL_MODELS);
        choices.addAll(names);
        String keep = model.get();
        models.setAll(choices);
        String pick = keep != null && choices.contains(keep) ? keep : newestModel();
        if (Objects.equals(pick, model.get())) modelChanged();
        else model.set(pick);
    }

    /** The model of the most recently finished run (the first listed when no run says when). */
    private String newestModel() {
        return selectedRows().stream()
                .reduce((a, b) -> b.createdAt().compareTo(a.createdAt()) > 0 ? b : a)
                .map(RunRow::model)
                .orElse(null);
    }

    /**
     * Draws only the runs picked in {@code selection} while there are any (of the rows given at construction),
     * every row when none: the chart follows the Results table's selection.
     */
    public void followSelection(ObservableList<RunRow> selection) {
        this.selection = selection;
        selection.addListener((ListChangeListener<RunRow>) c -> rowsChanged());
        rowsChanged();
    }

    /** The rows the selection allows: the selected ones that are still rows, or all rows when none is selected. */
    private List<RunRow> selectedRows() {
        if (selection.isEmpty()) return List.copyOf(rows);
        var picked = rows.stream().filter(selection::contains).toList();
        return picked.isEmpty() ? List.copyOf(rows) : picked;
    }

    /** The runs of the chosen model (every run for "All models"). */
    private List<RunRow> visibleRows() {
        String m = model.get();
        if (m == null || m.equals(ALL_MODELS)) return selectedRows();
        return selectedRows().stream().filter(r -> r.model().equals(m)).toList();
    }

    private void modelChanged() {
        String keep = task.get();
        tasks.setAll(ReportCharts.tasks(visibleRows()));
        if (keep != null && tasks.contains(keep)) taskChanged();
        else task.set(tasks.isEmpty() ? null : tasks.getFirst());
        if (tasks.isEmpty()) rebuild();
    }

    private void taskChanged() {
        protocolsChanged();
        String keep = metric.get();
        metrics.setAll(task.get() == null ? List.of() : ReportCharts.metrics(visibleRows(), task.get()));
        if (keep != null && metrics.contains(keep)) rebuild();
        else metric.set(metrics.isEmpty() ? null : metrics.getFirst());
        if (metrics.isEmpty()) rebuild();
    }

    /**
     * The protocols the chosen task's runs were measured with, most runs first; the choice defaults to the
     * protocol with most runs (values of different protocols are not comparable), "All protocols" on request.
     */
    private void protocolsChanged() {
        String t = task.get();
        var found = t == null
                ? List.<String>of()
                : ChartProtocols.of(
                        visibleRows().stream().filter(r -> r.task().equals(t)).toList(), RunRow::protocol);
        var choices = new ArrayList<String>();
        if (found.size() > 1) choices.add(ALL_PROTOCOLS);
        choices.addAll(found);
        String keep = protocol.get();
        protocols.setAll(choices);
        String pick = keep != null && choices.contains(keep) ? keep : found.isEmpty() ? null : found.getFirst();
        // the caller rebuilds once the metric is settled: set without a second rebuild when nothing changed
        if (!Objects.equals(pick, protocol.get())) protocol.set(pick);
    }

    /** The chosen model's runs of the chosen protocol (all of them for "All protocols" or when unknown). */
    private List<RunRow> chartedRows() {
        String p = protocol.get();
        List<RunRow> v = visibleRows();
        if (p == null || p.equals(ALL_PROTOCOLS)) return v;
        return v.stream()
                .filter(r -> !r.task().equals(task.get()) || r.protocol().equals(p))
                .toList();
    }

    /** Rebuilds the chart from the current rows and choices. */
    public void rebuild() {
        List<RunRow> current = kind.get() == Kind.LAYER_ERRORS ? visibleRows() : chartedRows();
        if (kind.get() == Kind.LAYER_ERRORS) {
            List<LayerError> errs = services.results().layerErrors(current);
            chart.set(WorkbenchCharts.layerErrors(errs));
            status.set(
                    errs.isEmpty()
                            ? "No per-tensor errors recorded yet (they come with compressed models' evaluations)."
                            : errs.size() + " tensors");
            return;
        }
        if (task.get() == null || metric.get() == null) {
            chart.set(WorkbenchCharts.scatter(
                    "Accuracy vs bits per weight",
                    WorkbenchCharts.metricAxisLabel("acc"),
                    List.of(),
                    List.of(),
                    WorkbenchCharts.XAxisKind.BITS_PER_WEIGHT,
                    true));
            status.set("No results yet: evaluate a model to see points here.");
            return;
        }
        var pts = ChartPoints.of(current, task.get(), metric.get());
        var overlay = paperPoints.stream()
                .filter(p -> p.task().equalsIgnoreCase(task.get()) && p.metric().equals(metric.get()))
                .toList();
        boolean bySize = kind.get() != Kind.METRIC_VS_BITS;
        JFreeChart c = switch (kind.get()) {
            case METRIC_VS_SIZE -> WorkbenchCharts.accuracyVsSize(task.get(), metric.get(), pts);
            case METRIC_VS_DECODE ->
                WorkbenchCharts.metricVsDeployment(
                        task.get(), metric.get(), pts, WorkbenchCharts.XAxisKind.DECODE_TOK_S);
            case METRIC_VS_MEMORY ->
                WorkbenchCharts.metricVsDeployment(task.get(), metric.get(), pts, WorkbenchCharts.XAxisKind.MEMORY_MB);
            default -> WorkbenchCharts.metricVsBits(task.get(), metric.get(), pts, overlay);
        };
        if (current.stream()
                .anyMatch(r -> r.task().equals(task.get()) && r.model().contains("SYNTHETIC"))) {
            // Demo and synthetic models have random weights: say so on the chart itself, which may be exported.
            var note =
                    new TextTitle("SYNTHETIC model weights (random): the numbers show the workflow, not model quality");
            note.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 12));
            note.setPaint(new Color(0x8a, 0x4b, 0x00));
            c.addSubtitle(note);
        }
        ChanceLevel.decorate(c, task.get(), metric.get(), current);
        if (model.get() != null && !model.get().equals(ALL_MODELS)) WorkbenchCharts.withModel(c, model.get());
        chart.set(c);
        boolean byDeployment = kind.get() == Kind.METRIC_VS_DECODE || kind.get() == Kind.METRIC_VS_MEMORY;
        long unmeasured = byDeployment
                ? pts.stream().filter(p -> Double.isNaN(p.decodeTokS())).count()
                : 0;
        status.set(pts.size() - unmeasured + " points"
                + (overlay.isEmpty() || bySize ? "" : " + " + overlay.size() + " paper-reported")
                + (bySize && !overlay.isEmpty()
                        ? " (paper points are drawn on the bits/weight chart, which knows their x)"
                        : "")
                + (unmeasured == 0
                        ? ""
                        : " (" + unmeasured + " runs left out: their model's speed and memory were not measured on"
                                + " this machine; evaluate it again or run `workbench deployment MODEL`)"));
    }

    /** Writes the current chart; the format follows the extension (.png, .svg, .pdf). */
    public void export(Path file) throws IOException {
        ChartExport.write(chart.get(), file, ChartExport.DEFAULT_WIDTH, ChartExport.DEFAULT_HEIGHT);
    }

    /** Writes the HTML/Markdown report with charts and data for {@code selection} (all rows when empty). */
    public ReportWriter.Output writeReport(List<RunRow> selection, Path dir) throws IOException {
        List<RunRow> chosen = selection.isEmpty() ? List.copyOf(rows) : selection;
        return ReportWriter.write(
                new ReportWriter.Input(
                        "LLM compression report",
                        chosen,
                        services.results().layerErrors(chosen),
                        List.copyOf(paperPoints)),
                dir);
    }

    public ObservableList<String> tasks() {
        return tasks;
    }

    public ObservableList<String> metrics() {
        return metrics;
    }

    public ObservableList<String> models() {
        return models;
    }

    /** Protocols of the chosen task's runs ("All protocols" first when there are several). */
    public ObservableList<String> protocols() {
        return protocols;
    }

    public ObjectProperty<String> protocolProperty() {
        return protocol;
    }

    public ObjectProperty<String> modelProperty() {
        return model;
    }

    public ObjectProperty<String> taskProperty() {
        return task;
    }

    public ObjectProperty<String> metricProperty() {
        return metric;
    }

    public ObjectProperty<Kind> kindProperty() {
        return kind;
    }

    public ObservableList<ReferencePoint> paperPoints() {
        return paperPoints;
    }

    public ObjectProperty<JFreeChart> chartProperty() {
        return chart;
    }

    public StringProperty statusProperty() {
        return status;
    }

    /** Where the paper points were loaded from or saved to, or why not. */
    public StringProperty paperStatusProperty() {
        return paperStatus;
    }
}
