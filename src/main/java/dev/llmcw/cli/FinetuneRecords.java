package dev.llmcw.cli;

import dev.llmcw.eval.TaskMetrics;
import dev.llmcw.results.CompressionRecord;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.StoredRuns;
import dev.llmcw.util.BuildInfo;
import dev.llmcw.util.Hashing;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code finetune} records in the results store: the adapted file as a compression of its own, and a run
 * of its own for the held-out loss it measured (task {@value #TASK}), so the adapted model shows in
 * {@code runs} and the Results view without a separate {@code eval}. The run's identity is the adapted file's
 * content hash with the method parameters (the source's plus the fine-tuning settings, block-wise switches
 * included) and the held-out text; running the same fine-tuning again gives the same bytes, hence the same
 * run key, and the stored run is reused rather than duplicated.
 */
final class FinetuneRecords {
    /** The pseudo-task of the held-out loss a fine-tuning measures. */
    static final String TASK = "finetune_heldout";

    static final String TASK_VERSION = "1";

    private FinetuneRecords() {}

    /** The held-out losses a fine-tuning measured (NaN where a stage did not run). */
    record HeldOut(Path file, String describe, int blocks, double before, double afterBlockwise, double after) {}

    /**
     * Records the adapted file as a compression (the source's record with the fine-tuning settings added and the
     * stored SU/SV's bits added to its bits/weight) and returns it; empty when the source is not on record
     * (said on {@code err}, not guessed).
     */
    static Optional<CompressionRecord> recordCompression(
            ResultsStore store,
            Path source,
            Path out,
            Map<String, String> added,
            long extraBits,
            long compressedWeights,
            double seconds,
            PrintWriter err)
            throws IOException {
        var src = store.compressionByFileHash(ModelHashes.contentHash(source));
        if (src.isEmpty()) {
            err.println("note: " + source + " is not in " + store.file() + " (compressed elsewhere?): runs of " + out
                    + " will have no bits/weight on record");
            return Optional.empty();
        }
        CompressionRecord s = src.get();
        var params = new LinkedHashMap<>(s.params());
        params.putAll(added);
        Double bits = s.bitsPerWeight() == null || compressedWeights == 0
                ? s.bitsPerWeight()
                : s.bitsPerWeight() + (double) extraBits / compressedWeights;
        var r = new CompressionRecord(
                0,
                Instant.now(),
                s.modelHash(),
                s.modelPath(),
                s.method(),
                params,
                out.toString(),
                ModelHashes.contentHash(out),
                Files.size(out),
                bits,
                seconds,
                s.tensorErrors(),
                BuildInfo.version());
        store.saveCompression(r);
        return Optional.of(r);
    }

    /**
     * Stores (or finds, when the same fine-tuning was stored before) the run of the adapted model's held-out
     * loss and perplexity; returns whether it was reused.
     */
    static StoredRuns.Outcome recordRun(
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
