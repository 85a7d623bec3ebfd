package dev.llmcw.cli;

import dev.llmcw.data.DatasetCatalog;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.WorkbenchHome;
import dev.llmcw.suite.SuiteActions;
import dev.llmcw.suite.SuiteReport;
import dev.llmcw.suite.SuiteRunner;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.suite.TerminalProgress;
import dev.llmcw.suite.WorkbenchSuiteActions;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.DataPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "suite", description = {"Run a sweep (models x methods x settings x tasks) from a YAML/JSON suite file, headless.",
        "Everything is stored in the results database; running the suite again only does what is missing",
        "(stored compressions and finished runs are skipped, interrupted runs resume item by item).",
        "Schema: see src/main/resources/suites/example-suite.yaml."})
final class SuiteCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Parameters(index = "0", description = "suite file (.yaml, .yml or .json)") Path file;
    @Option(names = "--db", description = "results database (default: the suite's 'db', else $WORKBENCH_HOME/results.db)") Path db;
    @Option(names = "--work-dir", description = "compressed models and resume state (default: the suite's 'workDir', else $WORKBENCH_HOME/suites/<name>)") Path workDir;
    @Option(names = "--dry-run", description = "print the planned settings and runs without doing anything") boolean dryRun;
    @Option(names = "--data", description = "data folder for the tasks (default: the shared datasets, else the repository's samples)") Path data;

    /** How the command gets its compression and evaluation (data folder, suite folder): replaced by tests. */
    static java.util.function.BiFunction<Path, Path, SuiteActions> actions = WorkbenchSuiteActions::standard;

    /** --data, else {@link #defaultDataDir()}. */
    private Path dataDir() {
        return data != null ? data : defaultDataDir();
    }

    /** The shared datasets when present, else the repository's datasets/ (samples). */
    static Path defaultDataDir() {
        Path shared = DataPaths.shared("datasets");
        if (Files.isDirectory(shared)) return shared;
        return DatasetCatalog.repositoryDatasetsDir().orElse(shared);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        SuiteSpec suite = SuiteSpec.read(file);
        Path base = file.toAbsolutePath().getParent();
        Path dbFile = db != null ? db : suite.db() != null ? base.resolve(suite.db()) : WorkbenchHome.resultsDb();
        Path work = workDir != null ? workDir : SuiteRunner.defaultWorkDir(file, suite);
        out.printf(Locale.ROOT, "suite %s: %d model(s) x %d setting(s) x %d task(s) = %d runs%n", suite.name(), suite.models().size(),
                suite.settings().size(), suite.tasks().size(), suite.runCount());
        out.printf("results: %s%nwork:    %s%ndata:    %s%n", dbFile, work, dataDir());
        SuiteActions suiteActions = actions.apply(dataDir(), base);
        // the same checks for a dry run and a real one, before any work: a typo in the last setting must not
        // surface hours into a sweep, and a dry run that passes must not fail for a reason it could see
        List<String> problems = SuiteRunner.problems(suite, base, suiteActions);
        if (!problems.isEmpty()) {
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            err.printf("%s: %d problem(s), nothing was run:%n", file, problems.size());
            problems.forEach(p -> err.println("  " + p));
            return 1;
        }
        if (dryRun) {
            List<SuiteSpec.Setting> settings = suite.settings();
            for (var m : suite.models()) for (var s : settings) out.printf("  %s  %s  %s%n", m.path(), s.label(), suite.tasks());
            return 0;
        }
        out.flush();
        CancellationToken cancel = new CancellationToken();
        // Ctrl-C: stop at the next item; everything finished so far stays stored.
        Thread hook = new Thread(cancel::cancel);
        Runtime.getRuntime().addShutdownHook(hook);
        SuiteReport r;
        try (ResultsStore store = ResultsStore.open(dbFile)) {
            r = new SuiteRunner(store, suiteActions, ModelHashes.shared(), TerminalProgress.stdout(), cancel).run(suite, base, work);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting because of Ctrl-C
            }
        }
        out.printf(Locale.ROOT, "compressed %d (reused %d), evaluated %d run(s) (reused %d), %d failure(s)%n",
                r.compressed(), r.compressionsReused(), r.evaluated(), r.runsReused(), r.failures().size());
        r.failures().forEach(f -> out.println("  FAILED " + f));
        out.printf("export: workbench runs export --db %s --format md %s%n", dbFile,
                String.join(" ", r.runIds().stream().map(String::valueOf).toList()));
        return r.ok() ? 0 : 2;
    }
}
