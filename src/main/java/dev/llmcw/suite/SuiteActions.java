package dev.llmcw.suite;

import dev.llmcw.compress.CompressionReport;
import dev.llmcw.eval.ItemStore;
import dev.llmcw.results.DeploymentRecord;
import dev.llmcw.results.Deployments;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.StoredRuns;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a suite needs from the rest of the workbench: compress a model with one setting, evaluate a
 * task. {@link SuiteRunner} holds the sweep logic, skipping and storage; implementations only do
 * the work. The real implementation wires {@code CompressionMethod}s and the evaluator; tests use a
 * deterministic fake.
 */
public interface SuiteActions {

    /** Version of a task's definition (part of run keys: a new version never reuses old results). */
    String taskVersion(String task);

    /** Content hash of the data a task would read (part of run keys), or null when unknown. */
    String dataHash(String task);

    /**
     * Rejects a method setting the way {@link #compress} would (unknown parameter, value out of range,
     * missing calibration file), without compressing anything: the suite's check before any work.
     */
    default void checkSetting(String method, Map<String, String> params) {}

    /** Size of an uncompressed model (for its runs' bits/weight and bytes). */
    ModelSize size(Path model);

    record ModelSize(long totalBytes, double bitsPerWeight) {}

    /**
     * Compresses {@code model} with one setting, writing the compressed model file to {@code out}
     * and per-tensor resume state under {@code workDir}.
     */
    CompressionReport compress(
            Path model,
            String method,
            Map<String, String> params,
            Path out,
            Path workDir,
            ProgressListener progress,
            CancellationToken cancel)
            throws Exception;

    /**
     * Evaluates one task on {@code model}, storing per-item results through {@code items} (so an
     * interrupted run resumes), with fidelity against {@code options.fidelityBase()} when set.
     *
     * @param runKey the run's cache key, usable as item key by evaluators without their own
     */
    /**
     * How {@code model} runs on this machine (speed and memory, {@link Deployments}): measured and stored
     * unless {@code store} already holds it; null where the implementation does not measure.
     */
    default DeploymentRecord deployment(ResultsStore store, Path model, String modelHash) {
        return null;
    }

    StoredRuns.Result evaluate(
            Path model,
            String task,
            RunSpec.Options options,
            String runKey,
            ItemStore items,
            ProgressListener progress,
            CancellationToken cancel)
            throws Exception;
}
