package dev.llmcw.app;

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
import java.util.List;

/**
 * The real suite service: {@link SuiteRunner} with the standard compression and evaluation. Runs go
 * into the GUI's results store, so they show up in Results and Charts; a session without a store
 * (results kept in memory) uses the suite's own {@code db}, else the user's results database, as
 * the CLI does.
 */
public final class DefaultSuiteService implements SuiteService {
    private final ResultsStore shared;
    private final Path dataDir;

    /** @param shared the GUI's results store, or null when the session keeps results in memory */
    public DefaultSuiteService(ResultsStore shared, Path dataDir) {
        this.shared = shared;
        this.dataDir = dataDir;
    }

    @Override
    public SuiteReport run(SuiteSpec suite, Path suiteFile, ProgressListener progress, CancellationToken cancel) {
        Path base = suiteFile.toAbsolutePath().getParent();
        Path work = SuiteRunner.defaultWorkDir(suiteFile, suite);
        SuiteActions actions = WorkbenchSuiteActions.standard(dataDir, base);
        // the CLI's checks before any work: a typo in the last setting must not surface hours into the sweep
        List<String> problems = SuiteRunner.problems(suite, base, actions);
        if (!problems.isEmpty())
            throw new IllegalArgumentException(
                    suiteFile.getFileName() + ": nothing was run: " + String.join("; ", problems));
        if (shared != null) return runner(shared, actions, progress, cancel).run(suite, base, work);
        Path db = suite.db() != null ? base.resolve(suite.db()) : WorkbenchHome.resultsDb();
        try (ResultsStore store = ResultsStore.open(db)) {
            return runner(store, actions, progress, cancel).run(suite, base, work);
        }
    }

    private SuiteRunner runner(
            ResultsStore store, SuiteActions actions, ProgressListener progress, CancellationToken cancel) {
        return new SuiteRunner(store, actions, ModelHashes.shared(), progress, cancel);
    }
}
