package dev.llmcw.app;

import dev.llmcw.compress.CompressionReport;
import dev.llmcw.report.LayerError;
import dev.llmcw.report.RunRow;
import dev.llmcw.results.FinetuneRuns;
import dev.llmcw.results.RunLabels;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.util.List;
import java.util.Map;

/** Stored runs for the Results and Charts views and for reports. */
public interface ResultsService {
    /**
     * One evaluated item of a run, for the per-item view.
     *
     * @param logLikelihoods per choice; {@code baseChosen} is -1 when no base run is known
     */
    record ItemDetail(
            String itemId,
            String prompt,
            List<String> choices,
            double[] logLikelihoods,
            int gold,
            int chosen,
            int baseChosen) {
        public boolean flipped() {
            return baseChosen >= 0 && baseChosen != chosen;
        }
    }

    /** A stored run that did not finish (interrupted, cancelled or failed): the Results view offers resume and delete. */
    record UnfinishedRun(String runId, String model, String setting, String task, String status, String message) {}

    /** Runs that did not finish, newest first; none where results are not stored. */
    default List<UnfinishedRun> unfinished() {
        return List.of();
    }

    /** Finishes an unfinished run in place (items stored before are reused); slow: call off the UI thread. */
    default void resume(String runId, ProgressListener progress, CancellationToken cancel) {
        throw new NotAvailableException("runs of this session are not stored, so they cannot be resumed");
    }

    /** Deletes a stored run with its metrics and items. */
    default void delete(String runId) {
        throw new NotAvailableException("runs of this session are not stored, so they cannot be deleted");
    }

    /** What was written about runs (name, tags, notes, hidden), by run id; runs without labels are absent. */
    default Map<String, RunLabels> labels() {
        return Map.of();
    }

    /** Replaces what was written about a run; slow: call off the UI thread. */
    default void setLabels(String runId, RunLabels labels) {
        throw new NotAvailableException("runs of this session are not stored, so they cannot be named or tagged");
    }

    /** Where the runs live, for the status bar ("results.db", "this session only"). */
    String description();

    List<RunRow> runs();

    List<ItemDetail> items(String runId);

    /** Per-tensor reconstruction errors recorded with the compressions of these runs. */
    List<LayerError> layerErrors(List<RunRow> runs);

    /** Records a finished compression of {@code base} (its per-tensor errors feed the layer-error chart). */
    default void recordCompression(ModelHandle base, CompressionReport report) {}

    /**
     * Records the run of a fine-tuning's held-out loss ({@link FinetuneRuns}) for the adapted file {@code report}
     * describes (recorded first with {@link #recordCompression}); the same fine-tuning again reuses its run.
     */
    default void recordFinetuneRun(CompressionReport report, FinetuneRuns.HeldOut heldOut) {}

    /** Records the rows of a finished evaluation (no-op when the evaluation already stored them). */
    void record(List<RunRow> rows, List<LayerError> layerErrors);
}
