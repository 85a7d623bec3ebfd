package dev.llmcw.results;

import dev.llmcw.eval.TaskMetrics;
import dev.llmcw.util.Hashing;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The run a fine-tuning stores of its own, from the command line and the GUI alike: the held-out loss and
 * perplexity it measured (task {@value #TASK}), so the adapted model shows in {@code runs} and the Results view
 * without a separate evaluation. The run's identity is the adapted file's content hash with the method
 * parameters (the source's plus the fine-tuning settings, block-wise switches included) and the held-out text;
 * the same fine-tuning again gives the same bytes, hence the same run key, and the stored run is reused.
 */
public final class FinetuneRuns {
    /** The pseudo-task of the held-out loss a fine-tuning measures. */
    public static final String TASK = "finetune_heldout";

    public static final String TASK_VERSION = "1";

    private FinetuneRuns() {}

    /** The held-out losses a fine-tuning measured (NaN where a stage did not run). */
    public record HeldOut(Path file, String describe, int blocks, double before, double afterBlockwise, double after) {}

    /**
     * Stores (or finds, when the same fine-tuning was stored before) the run of the adapted model's held-out
     * loss and perplexity; returns whether it was reused.
     */
    public static StoredRuns.Outcome recordRun(
            ResultsStore store,
            Path out,
            String method,
            Map<String, String> params,
            Optional<CompressionRecord> compression,
            HeldOut held) {
        var extra = new LinkedHashMap<String, String>();
        extra.put("heldout", held.describe());
        var options = new RunSpec.Options(null, null, null, null, null, null, null, extra);
        var spec =
                new RunSpec(out.toString(), null, ModelHashes.contentHash(out), method, params, List.of(TASK), options);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", held.after());
        metrics.put("perplexity", Math.exp(held.after()));
        metrics.put("loss_before", held.before());
        metrics.put("perplexity_before", Math.exp(held.before()));
        if (!Double.isNaN(held.afterBlockwise())) {
            metrics.put("loss_after_blockwise", held.afterBlockwise());
            metrics.put("perplexity_after_blockwise", Math.exp(held.afterBlockwise()));
        }
        return StoredRuns.execute(
                store,
                spec,
                TASK,
                TASK_VERSION,
                Hashing.sha256(held.file()),
                compression.map(CompressionRecord::bitsPerWeight).orElse(null),
                compression.map(CompressionRecord::sizeBytes).orElse(null),
                (key, items) -> new StoredRuns.Result(
                        new TaskMetrics(TASK, TASK_VERSION, held.blocks(), metrics, Map.of()), null));
    }
}
