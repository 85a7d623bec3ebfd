package dev.llmcw.results;

import java.time.Instant;
import java.util.Locale;

/**
 * How a model ran on one machine under the fixed deployment protocol ({@link dev.llmcw.engine.DeploymentProbe}).
 *
 * @param modelHash    content hash of the model file (the runs' {@code model_hash})
 * @param cpu          the CPU model it ran on
 * @param threads      engine threads
 * @param protocol     what was run (prompt and generation lengths, repetitions)
 * @param created      when it was measured
 * @param prefillTokS  prompt tokens per second
 * @param decodeTokS   generated tokens per second
 * @param weightBytes  the weights as the engine held them
 * @param kvCacheBytes the KV cache of the protocol's context
 * @param peakRssBytes the measuring process's peak resident set (JVM included), -1 if unknown
 */
public record DeploymentRecord(
        String modelHash,
        String cpu,
        int threads,
        String protocol,
        Instant created,
        double prefillTokS,
        double decodeTokS,
        long weightBytes,
        long kvCacheBytes,
        long peakRssBytes) {
    /** Memory to run the model: weights plus KV cache. */
    public long modelBytes() {
        return weightBytes + kvCacheBytes;
    }

    /** "decode 41.2 tok/s · prefill 310 tok/s · 1.21 MB · 2 threads on AMD EPYC 7B13". */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "decode %.1f tok/s · prefill %.0f tok/s · %.2f MB · %d threads on %s",
                decodeTokS,
                prefillTokS,
                modelBytes() / 1e6,
                threads,
                cpu);
    }
}
