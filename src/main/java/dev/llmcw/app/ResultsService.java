package dev.llmcw.app;

import dev.llmcw.report.LayerError;
import dev.llmcw.report.RunRow;

import java.util.List;

/** Stored runs for the Results and Charts views and for reports. */
public interface ResultsService {
    /**
     * One evaluated item of a run, for the per-item view.
     *
     * @param logLikelihoods per choice; {@code baseChosen} is -1 when no base run is known
     */
    record ItemDetail(String itemId, String prompt, List<String> choices, double[] logLikelihoods, int gold, int chosen,
                      int baseChosen) {
        public boolean flipped() { return baseChosen >= 0 && baseChosen != chosen; }
    }

    /** Where the runs live, for the status bar ("results.db", "this session only"). */
    String description();

    List<RunRow> runs();

    List<ItemDetail> items(String runId);

    /** Per-tensor reconstruction errors recorded with the compressions of these runs. */
    List<LayerError> layerErrors(List<RunRow> runs);

    /** Records the rows of a finished evaluation (no-op when the evaluation already stored them). */
    void record(List<RunRow> rows, List<LayerError> layerErrors);
}
