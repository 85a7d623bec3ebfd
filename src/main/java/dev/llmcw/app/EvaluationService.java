package dev.llmcw.app;

import dev.llmcw.cluster.ShardWatch;
import dev.llmcw.report.RunRow;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Zero-shot evaluation as the GUI sees it. */
public interface EvaluationService {
    /** A task the Evaluate view offers. */
    record TaskInfo(String name, String displayName, boolean available, String unavailableReason) {}

    /**
     * @param modelLabel   name of the base model family for tables and charts ("stories260K")
     * @param base         the uncompressed model, for fidelity metrics (KL, flips); may be null
     * @param limit        the first N items per task, as lm-eval's --limit (0 = all)
     * @param sample       a seeded random subset of N items per task instead (0 = none; limit must then be 0)
     * @param dataDir      data folder laid out like shared/datasets (null = the service's default)
     * @param datasetFiles task name → a dataset file the user opened instead (its folder is searched)
     */
    record Request(
            String modelLabel,
            ModelHandle model,
            ModelHandle base,
            List<String> tasks,
            int limit,
            int sample,
            long seed,
            boolean fidelity,
            Path dataDir,
            Map<String, Path> datasetFiles) {}

    /** The data folder used when a request names none, or null when no data was found. */
    default Path defaultDataDir() {
        return null;
    }

    List<TaskInfo> tasks();

    /** Runs the tasks; results are stored in the results store and returned as rows. */
    List<RunRow> evaluate(Request request, ProgressListener progress, CancellationToken cancel);

    /**
     * Like {@link #evaluate(Request, ProgressListener, CancellationToken)} with {@code executor} deciding where the
     * items are scored: Local here, Slurm in cluster jobs (their shards' states go to {@code shards}), the runs
     * stored the same way. A service without a Slurm executor of its own runs Local only.
     */
    default List<RunRow> evaluate(
            Request request,
            SuiteSpec.Executor executor,
            ShardWatch shards,
            ProgressListener progress,
            CancellationToken cancel) {
        String problem = executorProblem(executor);
        if (problem != null) throw new IllegalArgumentException(problem);
        return evaluate(request, progress, cancel);
    }

    /** One sentence (capitalised, with its full stop) on why {@code executor} cannot run from here, or null. */
    default String executorProblem(SuiteSpec.Executor executor) {
        return executor.isSlurm() ? "This evaluation service runs here only; choose Local." : null;
    }
}
