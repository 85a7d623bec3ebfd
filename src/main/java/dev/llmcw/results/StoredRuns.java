package dev.llmcw.results;

import dev.llmcw.eval.ItemStore;
import dev.llmcw.eval.TaskMetrics;
import dev.llmcw.util.CancellationToken;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one task evaluation with its bookkeeping in the results store: reuse a finished run with the
 * same cache key over the same items (limit, sample), else resume an unfinished one (the evaluation finds its items already
 * stored and skips them), else start a new run; then store metrics, item key, timing and the final
 * status (done, cancelled or failed with the message). The CLI, the GUI and suites all go through
 * here, so they resume and record the same way.
 */
public final class StoredRuns {
    private StoredRuns() {}

    /** The evaluation itself: must read and write its per-item results through {@code items}. */
    @FunctionalInterface
    public interface Evaluation {
        /** @param runKey the run's cache key (an evaluator without its own item key can store items under it) */
        Result evaluate(String runKey, ItemStore items) throws Exception;
    }

    /** An evaluation's metrics and the item-store key its items are under. */
    public record Result(TaskMetrics metrics, String itemKey) {}

    /** What happened: the run record, whether it was reused without evaluating, and items found stored before. */
    public record Outcome(RunRecord run, boolean reused, int itemsAlreadyStored) {}

    public static Outcome execute(
            ResultsStore store,
            RunSpec spec,
            String task,
            String taskVersion,
            String dataHash,
            Double bitsPerWeight,
            Long totalBytes,
            Evaluation evaluation) {
        String key = spec.cacheKey(task, taskVersion, dataHash);
        Optional<RunRecord> done = store.findDone(key, spec.options());
        if (done.isPresent()) {
            RunRecord r = done.get();
            return new Outcome(r, true, r.itemKey() == null ? 0 : store.itemCount(r.itemKey()));
        }
        Optional<RunRecord> unfinished = store.runsByKey(key).stream()
                .filter(r -> r.status() != RunStatus.DONE)
                .filter(r -> r.spec().options().sameItems(spec.options()))
                .findFirst();
        long id;
        if (unfinished.isPresent()) {
            id = unfinished.get().id();
            store.restart(id);
        } else {
            id = store.saveRun(spec.withTasks(List.of(task)), task, taskVersion, dataHash, bitsPerWeight, totalBytes);
        }
        int before = unfinished.map(RunRecord::itemKey).map(store::itemCount).orElse(0);
        return evaluateInto(store, id, task, key, evaluation, before);
    }

    /**
     * Resumes one stored run that did not finish (interrupted, cancelled or failed): restarts it and
     * evaluates under its own run key, so items stored before are reused and the run finishes in place.
     * A finished run or one still running in a live process is refused with one sentence.
     */
    public static Outcome resume(ResultsStore store, long runId, Evaluation evaluation) {
        RunRecord run = store.getRun(runId)
                .orElseThrow(() -> new IllegalArgumentException("no run " + runId + " in " + store.file()));
        if (run.status() == RunStatus.DONE)
            throw new IllegalArgumentException("run " + runId + " is already done; nothing to resume");
        store.livePid(runId).ifPresent(pid -> {
            throw new IllegalArgumentException(
                    "run " + runId + " is still running in process " + pid + "; wait for it or stop that process");
        });
        store.restart(runId);
        int before = run.itemKey() == null ? 0 : store.itemCount(run.itemKey());
        return evaluateInto(store, runId, run.task(), run.runKey(), evaluation, before);
    }

    private static Outcome evaluateInto(
            ResultsStore store, long id, String task, String key, Evaluation evaluation, int before) {
        long t0 = System.nanoTime();
        try {
            Result r = evaluation.evaluate(key, store);
            if (r.itemKey() != null) store.setItemKey(id, r.itemKey());
            store.saveMetrics(id, r.metrics());
            store.recordTimings(id, Map.of("eval", (System.nanoTime() - t0) / 1e9));
            store.updateStatus(id, RunStatus.DONE, null);
        } catch (CancellationToken.CancelledException e) {
            store.updateStatus(id, RunStatus.CANCELLED, "cancelled");
            throw e;
        } catch (Exception e) {
            store.updateStatus(id, RunStatus.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
            if (e instanceof RuntimeException re) throw re;
            throw new IllegalStateException(task + " failed: " + e.getMessage(), e);
        }
        return new Outcome(store.getRun(id).orElseThrow(), false, before);
    }
}
