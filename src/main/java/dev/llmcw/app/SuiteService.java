package dev.llmcw.app;

import dev.llmcw.cluster.ShardWatch;
import dev.llmcw.suite.SuiteReport;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;

/** Runs suite files (sweeps of models × settings × tasks) for the GUI, into the shared results store. */
public interface SuiteService {
    /**
     * Runs {@code suite} as if read from {@code suiteFile} (its relative paths resolve against the
     * file's folder); finished runs land in the results store that Results and Charts read.
     */
    SuiteReport run(SuiteSpec suite, Path suiteFile, ProgressListener progress, CancellationToken cancel)
            throws Exception;

    /**
     * Like {@link #run(SuiteSpec, Path, ProgressListener, CancellationToken)}; a suite on Slurm publishes its
     * shards' states to {@code shards} and takes resubmission requests from it. A service without an executor
     * of its own ignores it.
     */
    default SuiteReport run(
            SuiteSpec suite, Path suiteFile, ShardWatch shards, ProgressListener progress, CancellationToken cancel)
            throws Exception {
        return run(suite, suiteFile, progress, cancel);
    }

    /** One sentence (capitalised, with its full stop) on why the suite's executor cannot run from here, or null when it can. */
    default String executorProblem(SuiteSpec suite) {
        return null;
    }
}
