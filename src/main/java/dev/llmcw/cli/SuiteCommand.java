package dev.llmcw.cli;

import dev.llmcw.cluster.Slurm;
import dev.llmcw.cluster.SlurmSuiteExecutor;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.WorkbenchHome;
import dev.llmcw.suite.SuiteActions;
import dev.llmcw.suite.SuitePresets;
import dev.llmcw.suite.SuiteReport;
import dev.llmcw.suite.SuiteRunner;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.suite.TerminalProgress;
import dev.llmcw.suite.WorkbenchSuiteActions;
import dev.llmcw.util.CancellationToken;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "suite",
        description = {
            "Run a sweep (models x methods x settings x tasks) from a YAML/JSON suite file, headless.",
            "Everything is stored in the results database; running the suite again only does what is missing",
            "(stored compressions and finished runs are skipped, interrupted runs resume item by item).",
            "Schema: see src/main/resources/suites/example-suite.yaml.",
            "Paper presets: --preset seedlm-paper|caldera-paper|caldera-official --model MODEL [--limit N]",
            "(writes the suite file and, after the sweep, its report folder with the accuracy vs bits/weight chart)."
        })
final class SuiteCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", description = "suite file (.yaml, .yml or .json); not with --preset")
    Path file;

    @Option(
            names = "--preset",
            paramLabel = "NAME",
            description = "a paper preset instead of a file: seedlm-paper, caldera-paper, caldera-official")
    String preset;

    @Option(
            names = "--model",
            paramLabel = "MODEL",
            description = "with --preset: the model to run it on (default: stories260K from the shared data)")
    Path model;

    @Option(
            names = "--calib",
            paramLabel = "FILE",
            description =
                    "with --preset: calibration text of calibrating methods (default: TinyStories validation text)")
    Path calib;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "items per task, overriding the suite's limit (a quick run of a preset)")
    Integer limit;

    @Option(
            names = "--db",
            description = "results database (default: the suite's 'db', else $WORKBENCH_HOME/results.db)")
    Path db;

    @Option(
            names = "--work-dir",
            description =
                    "compressed models and resume state (default: the suite's 'workDir', else $WORKBENCH_HOME/suites/<name>)")
    Path workDir;

    @Option(names = "--dry-run", description = "print the planned settings and runs without doing anything")
    boolean dryRun;

    @Option(
            names = "--merge-only",
            description = "with --executor slurm: submit nothing, only import the finished shard outputs of the"
                    + " suite's workspace and store the results (safe to repeat)")
    boolean mergeOnly;

    @Mixin
    DataOption data = new DataOption();

    @Mixin
    ExecutorOptions executorOptions = new ExecutorOptions();

    /** How the command gets its compression and evaluation (data folder, suite folder): replaced by tests. */
    static BiFunction<Path, Path, SuiteActions> actions = WorkbenchSuiteActions::standard;

    /** --data, else the shared datasets when present, else the repository's samples. */
    private Path dataDir() {
        return data.dirOr(DataOption.sharedOrSamples());
    }

    /**
     * The suite file to run: the given one, or the preset written as a suite file into
     * $WORKBENCH_HOME/suites/presets (where its report folder goes too).
     */
    private Path suiteFile() throws IOException {
        if ((file == null) == (preset == null))
            throw new IllegalArgumentException(
                    "give either a suite file or --preset NAME (" + String.join(", ", SuitePresets.NAMES) + ")");
        if (preset == null) {
            if (model != null || calib != null)
                throw new IllegalArgumentException(
                        "--model and --calib go with --preset; a suite file names its own models");
            return file;
        }
        Path m = model != null
                ? model
                : SuitePresets.defaultModel()
                        .orElseThrow(() -> new IllegalArgumentException(
                                "--preset " + preset + " needs --model: stories260K is not in the shared data"));
        if (!Files.isRegularFile(m)) throw new IllegalArgumentException(m + ": no such model file");
        Path c = calib != null ? calib : SuitePresets.defaultCalibration();
        return SuitePresets.write(
                preset, m, c, null, WorkbenchHome.dir().resolve("suites").resolve("presets"));
    }

    /** Waits up to 30 s for {@code latch} (a shutdown hook waiting for the Slurm jobs to be cancelled). */
    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Path suitePath = suiteFile();
        SuiteSpec suite = SuiteSpec.read(suitePath);
        if (limit != null) suite = suite.withLimit(limit);
        suite = suite.withExecutor(executorOptions.over(suite.executorOrLocal()));
        boolean onSlurm = suite.executorOrLocal().isSlurm();
        if (mergeOnly && !onSlurm) throw new IllegalArgumentException("--merge-only goes with --executor slurm");
        if (onSlurm && !dryRun && !Slurm.onPath())
            throw new IllegalArgumentException(
                    "--executor slurm: sbatch and squeue are not on PATH (a Slurm login node, or tools/slurm-local start)");
        if (preset != null) out.printf("preset %s written to %s%n", preset, suitePath);
        Path base = suitePath.toAbsolutePath().getParent();
        Path dbFile = db != null ? db : suite.db() != null ? base.resolve(suite.db()) : WorkbenchHome.resultsDb();
        Path work = workDir != null ? workDir : SuiteRunner.defaultWorkDir(suitePath, suite);
        out.printf(
                Locale.ROOT,
                "suite %s: %d model(s) x %d setting(s) x %d task(s) = %d runs%n",
                suite.name(),
                suite.models().size(),
                suite.settings().size(),
                suite.tasks().size(),
                suite.runCount());
        out.printf("results: %s%nwork:    %s%ndata:    %s%n", dbFile, work, dataDir());
        if (onSlurm) out.printf("slurm:   %s%n", SlurmSuiteExecutor.workspace(work));
        SuiteActions suiteActions = actions.apply(dataDir(), base);
        // the same checks for a dry run and a real one, before any work: a typo in the last setting must not
        // surface hours into a sweep, and a dry run that passes must not fail for a reason it could see
        List<String> problems = SuiteRunner.problems(suite, base, suiteActions);
        if (!problems.isEmpty()) {
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            err.printf("%s: %d problem(s), nothing was run:%n", suitePath, problems.size());
            problems.forEach(p -> err.println("  " + p));
            return 1;
        }
        if (dryRun) {
            List<SuiteSpec.Setting> settings = suite.settings();
            for (var m : suite.models())
                for (var s : settings) out.printf("  %s  %s  %s%n", m.path(), s.label(), suite.tasks());
            return 0;
        }
        out.flush();
        CancellationToken cancel = new CancellationToken();
        // Ctrl-C: stop at the next item; everything finished so far stays stored. On Slurm the hook waits (a
        // little) for the executor to scancel its jobs: the JVM would otherwise exit with them still queued.
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            cancel.cancel();
            if (onSlurm) awaitQuietly(stopped);
        });
        Runtime.getRuntime().addShutdownHook(hook);
        SuiteReport r;
        try (ResultsStore store = ResultsStore.open(dbFile)) {
            if (onSlurm) {
                var slurm = new SlurmSuiteExecutor(
                        store, ModelHashes.shared(), Slurm.system(), TerminalProgress.stdout(), cancel);
                r = mergeOnly ? slurm.merge(suite, base, work, dataDir()) : slurm.run(suite, base, work, dataDir());
            } else {
                r = new SuiteRunner(store, suiteActions, ModelHashes.shared(), TerminalProgress.stdout(), cancel)
                        .run(suite, base, work);
            }
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting because of Ctrl-C
            }
        }
        out.printf(
                Locale.ROOT,
                "compressed %d (reused %d), evaluated %d run(s) (reused %d), %d failure(s)%n",
                r.compressed(),
                r.compressionsReused(),
                r.evaluated(),
                r.runsReused(),
                r.failures().size());
        r.failures().forEach(f -> out.println("  FAILED " + f));
        if (suite.report() != null && !suite.report().isBlank())
            out.printf("report: %s%n", SuiteRunner.reportDir(base, suite).resolve("report.html"));
        out.printf(
                "export: workbench runs export --db %s --format md %s%n",
                dbFile,
                String.join(" ", r.runIds().stream().map(String::valueOf).toList()));
        return r.ok() ? 0 : 2;
    }
}
