package dev.llmcw.ui.results;

import dev.llmcw.app.ResultsService;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.report.ChartProtocols;
import dev.llmcw.report.RunRow;
import dev.llmcw.results.RunLabels;
import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.task.BackgroundTask;
import dev.llmcw.ui.task.TaskExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.ObservableMap;

/** The runs of the results store, the runs picked for comparison, and one run's items. */
public final class ResultsViewModel {
    private final WorkbenchServices services;
    private final TaskExecutor executor;
    private final ErrorReporter errors;
    /** Every stored row as last read; {@link #runs} is what the table and the charts show of it. */
    private List<RunRow> allRuns = List.of();

    private final ObservableList<RunRow> runs = FXCollections.observableArrayList();
    private final ObservableMap<String, RunLabels> labels = FXCollections.observableHashMap();
    private final BooleanProperty showHidden = new SimpleBooleanProperty(false);
    private final ObservableList<RunRow> selected = FXCollections.observableArrayList();
    /** A run deleted from the table but not yet from the store, so that Undo can bring it back. */
    private final ObjectProperty<RunRow> pendingDelete = new SimpleObjectProperty<>();

    private final ObservableList<RunRow> compared = FXCollections.observableArrayList();
    private final ObservableList<ResultsService.UnfinishedRun> unfinished = FXCollections.observableArrayList();
    private final ObservableList<ResultsService.ItemDetail> items = FXCollections.observableArrayList();
    private final StringProperty status = new SimpleStringProperty("");
    private final StringProperty itemsStatus = new SimpleStringProperty("Select a run to see its items.");

    public ResultsViewModel(WorkbenchServices services, TaskExecutor executor, ErrorReporter errors) {
        this.services = services;
        this.executor = executor;
        this.errors = errors;
        showHidden.addListener((o, a, b) -> showRuns());
    }

    private record Snapshot(
            List<RunRow> runs, Map<String, RunLabels> labels, List<ResultsService.UnfinishedRun> unfinished) {}

    public void refresh() {
        executor.execute(BackgroundTask.of((p, c) -> new Snapshot(
                        services.results().runs(),
                        services.results().labels(),
                        services.results().unfinished()))
                .onSuccess(s -> {
                    allRuns = s.runs();
                    labels.clear();
                    labels.putAll(s.labels());
                    showRuns();
                    unfinished.setAll(s.unfinished());
                    status.set(s.runs().size() + " result rows · "
                            + services.results().description()
                            + (s.unfinished().isEmpty()
                                    ? ""
                                    : " · " + s.unfinished().size() + " unfinished"));
                })
                .onFailure(t -> {
                    status.set("Results not available: " + ErrorReporter.describe(t));
                    errors.error("Cannot read results", ErrorReporter.describe(t));
                }));
    }

    /** Finishes an interrupted, cancelled or failed run in the background, then reloads the tables. */
    public void resume(ResultsService.UnfinishedRun run) {
        if (run == null) return;
        status.set("Resuming run " + run.runId() + " (" + run.task() + " on " + run.model() + ")…");
        executor.execute(BackgroundTask.<Void>of((p, c) -> {
                    services.results().resume(run.runId(), p, c);
                    return null;
                })
                .onSuccess(v -> refresh())
                .onCancelled(this::refresh)
                .onFailure(t -> {
                    errors.error("Cannot resume run " + run.runId(), ErrorReporter.describe(t));
                    refresh();
                }));
    }

    /** Deletes a run that did not finish, with its stored items. */
    public void delete(ResultsService.UnfinishedRun run) {
        if (run == null) return;
        executor.execute(BackgroundTask.<Void>of((p, c) -> {
                    services.results().delete(run.runId());
                    return null;
                })
                .onSuccess(v -> refresh())
                .onFailure(t -> errors.error("Cannot delete run " + run.runId(), ErrorReporter.describe(t))));
    }

    /** Fills the table from the stored rows: without hidden runs (unless asked for) and without a run being deleted. */
    private void showRuns() {
        var visible = allRuns.stream()
                .filter(r -> showHidden.get() || !labelsOf(r).hidden())
                .filter(r -> pendingDelete.get() == null
                        || !pendingDelete.get().runId().equals(r.runId()))
                .toList();
        runs.setAll(visible);
        compared.retainAll(visible);
        selected.retainAll(visible);
    }

    /** What was written about a run ({@link RunLabels#NONE} when nothing). */
    public RunLabels labelsOf(RunRow row) {
        return labels.getOrDefault(row.runId(), RunLabels.NONE);
    }

    /** Changes what is written about a run: shown at once, saved in the background (undone when saving fails). */
    public void edit(RunRow row, UnaryOperator<RunLabels> change) {
        if (row == null) return;
        finishDelete();
        RunLabels before = labelsOf(row);
        RunLabels after = change.apply(before);
        if (after.equals(before)) return;
        putLabels(row.runId(), after);
        showRuns();
        executor.execute(BackgroundTask.<Void>of((p, c) -> {
                    services.results().setLabels(row.runId(), after);
                    return null;
                })
                .onFailure(t -> {
                    putLabels(row.runId(), before);
                    showRuns();
                    errors.error("Cannot save the labels of run " + row.runId(), ErrorReporter.describe(t));
                }));
    }

    private void putLabels(String runId, RunLabels l) {
        if (l.equals(RunLabels.NONE)) labels.remove(runId);
        else labels.put(runId, l);
    }

    public void rename(RunRow row, String name) {
        edit(row, l -> l.withName(name));
    }

    /** @param tags comma-separated, as typed */
    public void setTags(RunRow row, String tags) {
        edit(row, l -> l.withTags(RunLabels.parseTags(tags)));
    }

    public void setNotes(RunRow row, String notes) {
        edit(row, l -> l.withNotes(notes));
    }

    public void setHidden(List<RunRow> rows, boolean hidden) {
        List.copyOf(rows).forEach(r -> edit(r, l -> l.withHidden(hidden)));
    }

    /**
     * Takes a run out of the table at once and deletes it from the store at the next action or when
     * {@link #finishDelete} is called (the view does after a few seconds); {@link #undoDelete} brings it back.
     */
    public void deleteRun(RunRow row) {
        if (row == null) return;
        finishDelete();
        pendingDelete.set(row);
        showRuns();
        status.set("Deleted run " + row.runId() + " (" + row.task() + " on " + row.model() + "): Undo brings it back.");
    }

    /** Brings back the run deleted last, if it is not deleted from the store yet. */
    public void undoDelete() {
        RunRow row = pendingDelete.get();
        if (row == null) return;
        pendingDelete.set(null);
        showRuns();
        status.set("Run " + row.runId() + " is back.");
    }

    /** Deletes the pending run from the store (no Undo after this). */
    public void finishDelete() {
        RunRow row = pendingDelete.get();
        if (row == null) return;
        pendingDelete.set(null);
        allRuns = allRuns.stream().filter(r -> !r.runId().equals(row.runId())).toList();
        executor.execute(BackgroundTask.<Void>of((p, c) -> {
                    services.results().delete(row.runId());
                    return null;
                })
                .onFailure(t -> {
                    errors.error("Cannot delete run " + row.runId(), ErrorReporter.describe(t));
                    refresh();
                }));
    }

    /** The runs picked in the table: the Charts view draws only these when there are any. */
    public void select(List<RunRow> rows) {
        selected.setAll(rows);
    }

    public ObservableList<RunRow> selected() {
        return selected;
    }

    public ObservableMap<String, RunLabels> labels() {
        return labels;
    }

    public BooleanProperty showHiddenProperty() {
        return showHidden;
    }

    public ObjectProperty<RunRow> pendingDeleteProperty() {
        return pendingDelete;
    }

    public void compare(List<RunRow> selection) {
        compared.setAll(selection);
    }

    /**
     * What the Compare tab says when the compared runs of one task were measured with different protocols
     * (their values are not comparable); empty when they agree or are unknown.
     */
    public static String protocolWarning(List<RunRow> runs) {
        var byTask = new TreeMap<String, List<RunRow>>();
        runs.forEach(
                r -> byTask.computeIfAbsent(r.task(), t -> new ArrayList<>()).add(r));
        var parts = new ArrayList<String>();
        byTask.forEach((task, rows) -> {
            List<String> protocols = ChartProtocols.of(rows, RunRow::protocol);
            if (protocols.size() > 1) parts.add(task + ": " + String.join(" vs ", protocols));
        });
        return parts.isEmpty()
                ? ""
                : "Different protocols (" + String.join("; ", parts)
                        + "): these values were measured on different items or options and are not comparable.";
    }

    public void showItems(RunRow run) {
        if (run == null) {
            items.clear();
            itemsStatus.set("Select a run to see its items.");
            return;
        }
        executor.execute(BackgroundTask.of((p, c) -> services.results().items(run.runId()))
                .onSuccess(list -> {
                    items.setAll(list);
                    long flipped = list.stream()
                            .filter(ResultsService.ItemDetail::flipped)
                            .count();
                    itemsStatus.set(
                            list.isEmpty()
                                    ? "No per-item records for run " + run.runId() + " in "
                                            + services.results().description()
                                    : list.size() + " items of run " + run.runId() + " · " + flipped
                                            + " flipped vs base");
                })
                .onFailure(t -> itemsStatus.set("Items not available: " + ErrorReporter.describe(t))));
    }

    public ObservableList<RunRow> runs() {
        return runs;
    }

    public ObservableList<ResultsService.UnfinishedRun> unfinished() {
        return unfinished;
    }

    public ObservableList<RunRow> compared() {
        return compared;
    }

    public ObservableList<ResultsService.ItemDetail> items() {
        return items;
    }

    public StringProperty statusProperty() {
        return status;
    }

    public StringProperty itemsStatusProperty() {
        return itemsStatus;
    }
}
