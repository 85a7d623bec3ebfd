package dev.llmcw.ui.results;

import dev.llmcw.app.ResultsService;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.report.ChartProtocols;
import dev.llmcw.report.RunRow;
import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.task.BackgroundTask;
import dev.llmcw.ui.task.TaskExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** The runs of the results store, the runs picked for comparison, and one run's items. */
public final class ResultsViewModel {
    private final WorkbenchServices services;
    private final TaskExecutor executor;
    private final ErrorReporter errors;
    private final ObservableList<RunRow> runs = FXCollections.observableArrayList();
    private final ObservableList<RunRow> compared = FXCollections.observableArrayList();
    private final ObservableList<ResultsService.UnfinishedRun> unfinished = FXCollections.observableArrayList();
    private final ObservableList<ResultsService.ItemDetail> items = FXCollections.observableArrayList();
    private final StringProperty status = new SimpleStringProperty("");
    private final StringProperty itemsStatus = new SimpleStringProperty("Select a run to see its items.");

    public ResultsViewModel(WorkbenchServices services, TaskExecutor executor, ErrorReporter errors) {
        this.services = services;
        this.executor = executor;
        this.errors = errors;
    }

    private record Snapshot(List<RunRow> runs, List<ResultsService.UnfinishedRun> unfinished) {}

    public void refresh() {
        executor.execute(BackgroundTask.of((p, c) -> new Snapshot(
                        services.results().runs(), services.results().unfinished()))
                .onSuccess(s -> {
                    runs.setAll(s.runs());
                    compared.retainAll(s.runs());
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
