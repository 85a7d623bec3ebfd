package dev.llmcw.cli;

import dev.llmcw.results.CompressionRecord;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.util.BuildInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code finetune} records in the results store: the adapted file as a compression of its own (its run of
 * the held-out loss is {@link dev.llmcw.results.FinetuneRuns}'s).
 */
final class FinetuneRecords {
    private FinetuneRecords() {}

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
}
