package dev.llmcw.results;

import dev.llmcw.eval.ItemStore;
import dev.llmcw.eval.TaskMetrics;
import dev.llmcw.util.CancellationToken;

import java.util.Map;
import java.util.Optional;

/**
 * Runs one task evaluation with its bookkeeping in the results store: reuse a finished run with the
 * same cache key and limit, else resume an unfinished one (its items are already stored and the
 * evaluation skips them), else start a new run; store metrics and the final status. Used by the
 * CLI, the GUI and suites so they all resume and record the same way.
 */
public final class StoredRuns {
    private StoredRuns() {}

    /** The evaluation itself: must read and write its per-item results through {@code items}. */
    @FunctionalInterface
    public interface Evaluation {
        TaskMetrics evaluate(String runKey, ItemStore items) throws Exception;
    }

    /** What happened: the run record and whether it was reused without evaluating. */
    public record Outcome(RunRecord run, boolean reused, int itemsAlreadyStored) {}

    public static Outcome execute(ResultsStore store, RunSpec spec, String task, String taskVersion,
                                  Double bitsPerWeight, Long totalBytes, Evaluation evaluation) {
        String key = spec.cacheKey(task, taskVersion);
        Integer limit = spec.options().limit();
        Optional<RunRecord> done = store.findDone(key, limit);
        if (done.isPresent()) return new Outcome(done.get(), true, store.itemCount(key));

        Optional<RunRecord> unfinished = store.runsByKey(key).stream()
                .filter(r -> !r.status().equals(RunStatus.DONE))
                .filter(r -> java.util.Objects.equals(r.spec().options().limit(), limit))
                .findFirst();
        long id;
        if (unfinished.isPresent()) {
            id = unfinished.get().id();
            store.restart(id);
        } else {
            id = store.saveRun(spec.withTasks(java.util.List.of(task)), task, taskVersion, bitsPerWeight, totalBytes);
        }
        int before = store.itemCount(key);
        long t0 = System.nanoTime();
        try {
            TaskMetrics m = evaluation.evaluate(key, store);
            store.saveMetrics(id, m);
            store.recordTimings(id, Map.of("eval", (System.nanoTime() - t0) / 1e9));
            store.updateStatus(id, RunStatus.DONE, null);
        } catch (CancellationToken.CancelledException e) {
            store.updateStatus(id, RunStatus.CANCELLED, "cancelled after " + store.itemCount(key) + " items");
            throw e;
        } catch (Exception e) {
            store.updateStatus(id, RunStatus.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
            if (e instanceof RuntimeException re) throw re;
            throw new IllegalStateException(task + " failed: " + e.getMessage(), e);
        }
        return new Outcome(store.getRun(id).orElseThrow(), false, before);
    }
}
