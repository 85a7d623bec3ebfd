package dev.llmcw.app;

import dev.llmcw.cluster.ShardWatch;
import dev.llmcw.cluster.Slurm;
import dev.llmcw.cluster.SlurmSuiteExecutor;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.WorkbenchHome;
import dev.llmcw.suite.SuiteActions;
import dev.llmcw.suite.SuiteReport;
import dev.llmcw.suite.SuiteRunner;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.suite.WorkbenchSuiteActions;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The real suite service: {@link SuiteRunner} with the standard compression and evaluation, or, for a suite
 * whose executor is Slurm, {@link SlurmSuiteExecutor} (jobs on the cluster, merged into the same store). Runs
 * go into the GUI's results store, so they show up in Results and Charts; a session without a store (results
 * kept in memory) uses the suite's own {@code db}, else the user's results database, as the CLI does.
 */
public final class DefaultSuiteService implements SuiteService {
    private final ResultsStore shared;
    private final Path dataDir;
    private final Slurm slurm;
    private final BooleanSupplier slurmOnPath;
    private final long pollMillis;

    /** @param shared the GUI's results store, or null when the session keeps results in memory */
    public DefaultSuiteService(ResultsStore shared, Path dataDir) {
        this(shared, dataDir, Slurm.system(), Slurm::onPath, 2000);
    }

    /**
     * @param slurm       the Slurm commands (tests: a scripted or in-process queue)
     * @param slurmOnPath whether those commands can be run here
     * @param pollMillis  time between two looks at the queue
     */
    public DefaultSuiteService(
            ResultsStore shared, Path dataDir, Slurm slurm, BooleanSupplier slurmOnPath, long pollMillis) {
        this.shared = shared;
        this.dataDir = dataDir;
        this.slurm = slurm;
        this.slurmOnPath = slurmOnPath;
        this.pollMillis = pollMillis;
    }

    @Override
    public SuiteReport run(SuiteSpec suite, Path suiteFile, ProgressListener progress, CancellationToken cancel) {
        return run(suite, suiteFile, new ShardWatch(), progress, cancel);
    }

    @Override
    public SuiteReport run(
            SuiteSpec suite, Path suiteFile, ShardWatch shards, ProgressListener progress, CancellationToken cancel) {
        Path base = suiteFile.toAbsolutePath().getParent();
        Path work = SuiteRunner.defaultWorkDir(suiteFile, suite);
        SuiteActions actions = WorkbenchSuiteActions.standard(dataDir, base);
        // the CLI's checks before any work: a typo in the last setting must not surface hours into the sweep
        List<String> problems = new ArrayList<>(SuiteRunner.problems(suite, base, actions));
        String executorProblem = executorProblem(suite);
        if (executorProblem != null) problems.add(executorProblem);
        if (!problems.isEmpty())
            throw new IllegalArgumentException(
                    suiteFile.getFileName() + ": nothing was run: " + String.join("; ", problems));
        if (shared != null) return run(shared, suite, base, work, actions, shards, progress, cancel);
        Path db = suite.db() != null ? base.resolve(suite.db()) : WorkbenchHome.resultsDb();
        try (ResultsStore store = ResultsStore.open(db)) {
            return run(store, suite, base, work, actions, shards, progress, cancel);
        }
    }

    @Override
    public String executorProblem(SuiteSpec suite) {
        if (!suite.executorOrLocal().isSlurm() || slurmOnPath.getAsBoolean()) return null;
        return "The Slurm executor needs sbatch and squeue on PATH (a Slurm login node, or tools/slurm-local start);"
                + " choose Local to run here.";
    }

    private SuiteReport run(
            ResultsStore store,
            SuiteSpec suite,
            Path base,
            Path work,
            SuiteActions actions,
            ShardWatch shards,
            ProgressListener progress,
            CancellationToken cancel) {
        if (suite.executorOrLocal().isSlurm())
            return new SlurmSuiteExecutor(store, ModelHashes.shared(), slurm, progress, cancel)
                    .pollEvery(pollMillis)
                    .watch(shards)
                    .run(suite, base, work, dataDir);
        return new SuiteRunner(store, actions, ModelHashes.shared(), progress, cancel).run(suite, base, work);
    }
}
