package dev.llmcw.app;

import dev.llmcw.compress.CompressionReport;
import dev.llmcw.report.LayerError;
import dev.llmcw.report.RunRow;
import dev.llmcw.report.RunRows;
import dev.llmcw.results.BaseComparisons;
import dev.llmcw.results.CompressionRecord;
import dev.llmcw.results.FinetuneRuns;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunLabels;
import dev.llmcw.results.RunRecord;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.RunStatus;
import dev.llmcw.suite.EvalTaskEvaluator;
import dev.llmcw.suite.RunResumer;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Results and Charts read the SQLite results store, the same database the CLI and suites use. */
public final class StoreResultsService implements ResultsService {
    private final ResultsStore store;
    private final Function<String, List<ItemDetail>> sessionItems;
    private final Path dataDir;

    /**
     * @param sessionItems item details of runs evaluated in this session (with base answers), may return empty
     * @param dataDir      where task texts are re-read for runs of earlier sessions
     */
    public StoreResultsService(ResultsStore store, Function<String, List<ItemDetail>> sessionItems, Path dataDir) {
        this.store = store;
        this.sessionItems = sessionItems;
        this.dataDir = dataDir;
    }

    public ResultsStore store() {
        return store;
    }

    @Override
    public String description() {
        return store.file().toString();
    }

    @Override
    public List<RunRow> runs() {
        return RunRows.of(store, store.listRuns(RunFilter.all().withStatus(RunStatus.DONE)));
    }

    @Override
    public List<UnfinishedRun> unfinished() {
        return store.listRuns(RunFilter.all()).stream()
                .filter(r -> r.status() != RunStatus.DONE && r.status() != RunStatus.RUNNING)
                .map(r -> new UnfinishedRun(
                        Long.toString(r.id()),
                        r.modelLabel(),
                        r.settingLabel(),
                        r.task(),
                        r.status().dbName(),
                        r.message() == null ? "" : r.message()))
                .toList();
    }

    @Override
    public void resume(String runId, ProgressListener progress, CancellationToken cancel) {
        new RunResumer(new EvalTaskEvaluator(dataDir)).resume(store, id(runId), progress, cancel);
    }

    @Override
    public void delete(String runId) {
        long id = id(runId);
        if (store.getRun(id).isEmpty()) throw new IllegalArgumentException("no run " + runId + " in " + store.file());
        store.deleteRun(id);
    }

    @Override
    public Map<String, RunLabels> labels() {
        var out = new HashMap<String, RunLabels>();
        store.allLabels().forEach((id, l) -> out.put(Long.toString(id), l));
        return Map.copyOf(out);
    }

    @Override
    public void setLabels(String runId, RunLabels labels) {
        store.setLabels(id(runId), labels);
    }

    private static long id(String runId) {
        try {
            return Long.parseLong(runId);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a stored run: " + runId);
        }
    }

    @Override
    public List<ItemDetail> items(String runId) {
        var fromSession = sessionItems.apply(runId);
        if (!fromSession.isEmpty()) return fromSession;
        RunRecord run;
        try {
            run = store.getRun(Long.parseLong(runId)).orElse(null);
        } catch (NumberFormatException e) {
            return List.of();
        }
        if (run == null) return List.of();
        long seed = run.spec().options().seed() == null
                ? 1234
                : run.spec().options().seed();
        // the base run the Compare table and the tooltips compare with (BaseComparisons), so the flips agree
        var baseItems = BaseComparisons.baseOf(store, run)
                .map(b -> store.itemsFor(b.id()))
                .orElse(null);
        return ItemDetails.of(run.task(), seed, dataDir, store.itemsFor(run.id()), baseItems);
    }

    @Override
    public List<LayerError> layerErrors(List<RunRow> runs) {
        var out = new ArrayList<LayerError>();
        var seen = new HashSet<String>();
        for (RunRow row : runs) {
            if (row.method().equals("base")) continue;
            RunRecord run;
            try {
                run = store.getRun(Long.parseLong(row.runId())).orElse(null);
            } catch (NumberFormatException e) {
                continue;
            }
            if (run == null
                    || RunSpec.NO_METHOD.equals(run.method())
                    || !seen.add(run.spec().modelHash())) continue;
            store.compressionByFileHash(run.spec().modelHash()).ifPresent(c -> {
                for (var e : c.tensorErrors()) {
                    out.add(new LayerError(
                            row.methodWithSettings(), e.tensor(), e.relativeError(), e.relativeActivationError()));
                }
            });
        }
        return out;
    }

    @Override
    public void recordCompression(ModelHandle base, CompressionReport report) {
        store.saveCompression(CompressionRecord.of(
                ModelHashes.contentHash(base.path()),
                base.path().toString(),
                report,
                ModelHashes.contentHash(report.file())));
    }

    @Override
    public void recordFinetuneRun(CompressionReport report, FinetuneRuns.HeldOut heldOut) {
        var compression = store.compressionByFileHash(ModelHashes.contentHash(report.file()));
        FinetuneRuns.recordRun(
                store,
                report.file(),
                report.method(),
                compression.map(CompressionRecord::params).orElse(report.parameters()),
                compression,
                heldOut);
    }

    @Override
    public void record(List<RunRow> rows, List<LayerError> layerErrors) {
        // Evaluations store their runs themselves (StoredRuns); nothing to add.
    }
}
