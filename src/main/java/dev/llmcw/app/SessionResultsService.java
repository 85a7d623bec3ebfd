package dev.llmcw.app;

import dev.llmcw.report.LayerError;
import dev.llmcw.report.RunRow;
import dev.llmcw.results.RunLabels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Keeps the rows of this session's evaluations in memory: used while no persistent results store
 * is configured. The rows themselves come from the evaluation layer.
 */
public final class SessionResultsService implements ResultsService {
    private final List<RunRow> rows = new CopyOnWriteArrayList<>();
    private final List<LayerError> errors = new CopyOnWriteArrayList<>();
    private final Map<String, RunLabels> labels = new ConcurrentHashMap<>();
    private final Function<String, List<ItemDetail>> items;

    public SessionResultsService() {
        this(id -> List.of());
    }

    /** @param items the per-item details of a run id (from the evaluation that produced it) */
    public SessionResultsService(Function<String, List<ItemDetail>> items) {
        this.items = items;
    }

    @Override
    public String description() {
        return "this session only (no results store configured)";
    }

    @Override
    public List<RunRow> runs() {
        return List.copyOf(rows);
    }

    @Override
    public Map<String, RunLabels> labels() {
        return Map.copyOf(labels);
    }

    @Override
    public void setLabels(String runId, RunLabels l) {
        if (rows.stream().noneMatch(r -> r.runId().equals(runId)))
            throw new IllegalArgumentException("no run " + runId + " in this session");
        if (l.equals(RunLabels.NONE)) labels.remove(runId);
        else labels.put(runId, l);
    }

    @Override
    public void delete(String runId) {
        if (!rows.removeIf(r -> r.runId().equals(runId)))
            throw new IllegalArgumentException("no run " + runId + " in this session");
        labels.remove(runId);
    }

    @Override
    public List<ItemDetail> items(String runId) {
        return items.apply(runId);
    }

    @Override
    public List<LayerError> layerErrors(List<RunRow> runs) {
        var methods = new ArrayList<String>();
        runs.forEach(r -> methods.add(r.method()));
        return errors.stream().filter(e -> methods.contains(e.method())).toList();
    }

    @Override
    public void record(List<RunRow> newRows, List<LayerError> layerErrors) {
        rows.addAll(newRows);
        errors.addAll(layerErrors);
    }
}
