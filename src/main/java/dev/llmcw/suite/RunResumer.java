package dev.llmcw.suite;

import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunRecord;
import dev.llmcw.results.StoredRuns;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;

/**
 * Finishes a stored run that did not finish (its process was killed, it was cancelled or failed) by
 * evaluating its model and task again with its stored options; the items stored before are reused.
 * The CLI ({@code runs resume}) and the GUI's Results view share it.
 */
public final class RunResumer {
    private final WorkbenchSuiteActions.TaskEvaluator evaluator;

    public RunResumer(WorkbenchSuiteActions.TaskEvaluator evaluator) {
        this.evaluator = evaluator;
    }

    public StoredRuns.Outcome resume(
            ResultsStore store, long runId, ProgressListener progress, CancellationToken cancel) {
        RunRecord run = store.getRun(runId)
                .orElseThrow(() -> new IllegalArgumentException("no run " + runId + " in " + store.file()));
        Path model = Path.of(run.spec().modelPath());
        return StoredRuns.resume(
                store,
                runId,
                (key, items) ->
                        evaluator.evaluate(model, run.task(), run.spec().options(), key, items, progress, cancel));
    }
}
