package dev.llmcw.suite;

import dev.llmcw.compress.CompressionReport;
import dev.llmcw.report.ReportWriter;
import dev.llmcw.report.RunRow;
import dev.llmcw.report.RunRows;
import dev.llmcw.results.CompressionRecord;
import dev.llmcw.results.DeploymentRecord;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunRecord;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.RunStatus;
import dev.llmcw.results.StoredRuns;
import dev.llmcw.results.WorkbenchHome;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.Json;
import dev.llmcw.util.PartsProgress;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Runs a suite: for every model, every method setting and every task, compress (unless a stored
 * compression of the same weights with the same setting still exists) and evaluate (unless a
 * finished run with the same cache key and limit is stored; unfinished runs resume item by item).
 * Everything lands in the results store, so running a suite again after a crash, a kill or an
 * edit only does the missing work. A failed compression or run is recorded and the sweep goes on;
 * cancellation stops it.
 */
public final class SuiteRunner {
    private final ResultsStore store;
    private final SuiteActions actions;
    private final ModelHashes hashes;
    private final ProgressListener progress;
    private final CancellationToken cancel;

    public SuiteRunner(
            ResultsStore store,
            SuiteActions actions,
            ModelHashes hashes,
            ProgressListener progress,
            CancellationToken cancel) {
        this.store = store;
        this.actions = actions;
        this.hashes = hashes;
        this.progress = progress;
        this.cancel = cancel;
    }

    /**
     * What the run would reject, found before any work (models that are missing or cannot be loaded,
     * method settings with unknown parameters, values out of range or missing calibration files, unknown
     * tasks or their missing data), one sentence each; empty when the suite can run. Uses the same
     * {@link SuiteActions} calls as {@link #run}, so a dry run and the real run agree.
     */
    public static List<String> problems(SuiteSpec suite, Path baseDir, SuiteActions actions) {
        List<String> problems = new ArrayList<>();
        for (SuiteSpec.ModelEntry me : suite.models()) {
            Path model = baseDir.resolve(me.path()).normalize();
            if (!Files.exists(model)) {
                problems.add("model not found: " + model);
                continue;
            }
            check(problems, "model " + model, () -> actions.size(model));
        }
        for (SuiteSpec.Setting s : suite.settings()) {
            if (s.isBase()) continue;
            // the method's descriptor first (the same check whatever the actions), then what building it finds;
            // a setting the descriptor refuses is reported once
            String what = "setting " + s.label(), refused = s.problem();
            if (refused != null) problems.add(what + ": " + refused);
            else check(problems, what, () -> actions.checkSetting(s.method(), s.params()));
        }
        for (String task : suite.tasks()) {
            check(problems, "task " + task, () -> {
                actions.taskVersion(task);
                actions.dataHash(task);
            });
        }
        return problems;
    }

    private static void check(List<String> problems, String what, Runnable check) {
        try {
            check.run();
        } catch (RuntimeException e) {
            problems.add(what + ": " + message(e));
        }
    }

    /** Runs the suite; relative paths in it resolve against {@code baseDir}. */
    public SuiteReport run(SuiteSpec suite, Path baseDir, Path workDir) {
        // an unknown task name (the evaluator asks the task registry) fails the suite before anything is compressed
        for (String task : suite.tasks()) actions.taskVersion(task);
        List<SuiteSpec.Setting> settings = suite.settings();
        int total = suite.runCount();
        int step = 0;
        int compressed = 0, compressionsReused = 0, evaluated = 0, reused = 0;
        List<Long> runIds = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        // one stage over the whole sweep: the bar counts runs and never restarts at a run or a compression
        String stage = "suite " + suite.name();

        for (SuiteSpec.ModelEntry me : suite.models()) {
            Path model = baseDir.resolve(me.path()).normalize();
            String label = label(me, model);
            if (!Files.exists(model)) {
                failures.add(label + ": model not found: " + model);
                step += settings.size() * suite.tasks().size();
                continue;
            }
            // load (and so validate) before hashing: a corrupt 64 GB file is refused in milliseconds, not after a full
            // read
            SuiteActions.ModelSize baseSize = actions.size(model);
            progress.log("hashing " + model);
            String modelHash = hashes.hash(model);

            for (SuiteSpec.Setting setting : settings) {
                cancel.throwIfCancelled();
                Path evalPath;
                String evalHash;
                Double bpw;
                Long bytes;
                if (setting.isBase()) {
                    evalPath = model;
                    evalHash = modelHash;
                    bpw = baseSize.bitsPerWeight();
                    bytes = baseSize.totalBytes();
                } else {
                    Compressed c;
                    try {
                        c = compression(
                                model,
                                label,
                                modelHash,
                                setting,
                                workDir,
                                withinRun(stage, step, total, label + " " + setting.label() + " compressing"));
                    } catch (CancellationToken.CancelledException e) {
                        throw e;
                    } catch (Exception e) {
                        failures.add(label + " " + setting.label() + ": compression failed: " + message(e));
                        progress.log(label + " " + setting.label() + ": compression FAILED " + message(e));
                        step += suite.tasks().size();
                        continue;
                    }
                    if (c.reused()) compressionsReused++;
                    else compressed++;
                    CompressionRecord rec = c.record();
                    evalPath = Path.of(rec.filePath());
                    evalHash = rec.fileHash();
                    bpw = rec.bitsPerWeight();
                    bytes = rec.sizeBytes();
                }
                RunSpec.Options options = suite.runOptions(setting, model, modelHash);
                RunSpec spec = new RunSpec(
                        evalPath.toString(),
                        label,
                        evalHash,
                        setting.method(),
                        setting.params(),
                        suite.tasks(),
                        options);
                for (String task : suite.tasks()) {
                    cancel.throwIfCancelled();
                    step++;
                    String what =
                            String.format(Locale.ROOT, "[%d/%d] %s %s %s", step, total, label, setting.label(), task);
                    progress.update(stage, step - 1, total, what);
                    ProgressListener taskProgress = withinRun(stage, step - 1, total, what);
                    try {
                        String version = actions.taskVersion(task);
                        var out = StoredRuns.execute(
                                store,
                                spec,
                                task,
                                version,
                                actions.dataHash(task),
                                bpw,
                                bytes,
                                (key, items) -> actions.evaluate(
                                        evalPath, task, spec.options(), key, items, taskProgress, cancel));
                        runIds.add(out.run().id());
                        if (out.reused()) reused++;
                        else evaluated++;
                        // a stored result is done but took no time: marked so a measured rate leaves it out
                        progress.update(stage, step, total, what + (out.reused() ? PartsProgress.RESUMED : ""));
                        progress.log(what + ": " + summary(out.run())
                                + (out.reused()
                                        ? " (stored result)"
                                        : out.itemsAlreadyStored() > 0
                                                ? " (resumed after " + out.itemsAlreadyStored() + " items)"
                                                : ""));
                    } catch (CancellationToken.CancelledException e) {
                        throw e;
                    } catch (Exception e) {
                        failures.add(what + ": " + message(e));
                        progress.log(what + ": FAILED " + message(e));
                    }
                }
                measureDeployment(store, evalPath, evalHash, label + " " + setting.label(), progress);
            }
        }
        if (suite.report() != null && !suite.report().isBlank())
            writeReport(suite, reportDir(baseDir, suite), runIds, failures);
        progress.update(stage, total, total, "done");
        return new SuiteReport(
                suite.name(),
                compressed,
                compressionsReused,
                evaluated,
                reused,
                List.copyOf(runIds),
                List.copyOf(failures));
    }

    /** The folder a suite's {@code report} names, relative to the suite file's folder. */
    public static Path reportDir(Path baseDir, SuiteSpec suite) {
        return baseDir.resolve(suite.report()).normalize();
    }

    /** The report of the suite's runs, as `workbench report --runs ...` writes it; a failure to write is one more failure line. */
    private void writeReport(SuiteSpec suite, Path dir, List<Long> runIds, List<String> failures) {
        var records = new ArrayList<RunRecord>();
        for (long id : runIds)
            store.getRun(id).filter(r -> r.status() == RunStatus.DONE).ifPresent(records::add);
        List<RunRow> rows = RunRows.of(store, records);
        if (rows.isEmpty()) {
            failures.add("report: no finished runs to report on");
            return;
        }
        try {
            var out = ReportWriter.write(new ReportWriter.Input(suite.name(), rows, List.of(), List.of()), dir);
            progress.log("report: " + out.html() + " (" + out.charts().size() + " chart files)");
        } catch (IOException | RuntimeException e) {
            failures.add("report " + dir + ": " + message(e));
        }
    }

    private record Compressed(CompressionRecord record, boolean reused) {}

    /** The stored compression of this setting if its file is intact, else compresses now. */
    /**
     * A compression's or a task's own progress shown under the sweep's stage: the bar holds at {@code done}
     * runs and the detail goes to the message, so it neither restarts nor jumps; log lines pass through.
     */
    private ProgressListener withinRun(String stage, int done, int total, String what) {
        return (s, d, t, m) -> {
            if (d < 0 && t < 0) {
                progress.update(s, d, t, m);
                return;
            }
            String detail = what + " · " + s + (t > 0 ? " " + d + "/" + t : "");
            progress.update(stage, done, total, m == null || m.isBlank() ? detail : detail + " · " + m);
        };
    }

    private Compressed compression(
            Path model, String label, String modelHash, SuiteSpec.Setting s, Path workDir, ProgressListener within)
            throws Exception {
        Optional<CompressionRecord> stored = store.findCompression(modelHash, s.method(), s.params());
        if (stored.isPresent()) {
            CompressionRecord r = stored.get();
            if (r.fileHash() != null && r.fileHash().equals(hashes.hash(Path.of(r.filePath())))) {
                progress.log(label + " " + s.label() + ": compressed model exists (" + r.filePath() + ")");
                return new Compressed(r, true);
            }
            progress.log(label + " " + s.label() + ": stored compressed file changed; compressing again");
            store.deleteCompression(r.id());
        }
        Path out = compressedFile(workDir, label, s);
        Path tensorWork = tensorWorkDir(workDir, label, s);
        Files.createDirectories(out.getParent());
        progress.log(label + " " + s.label() + ": compressing to " + out);
        CompressionReport report = actions.compress(model, s.method(), s.params(), out, tensorWork, within, cancel);
        String fileHash = hashes.hash(report.file());
        // Recorded under the suite's parameters, not the method's full list (which adds defaults such
        // as exponent_rule): the suite looks the compression up by what it asked for.
        CompressionRecord full = CompressionRecord.of(modelHash, model.toString(), report, fileHash);
        long id = store.saveCompression(new CompressionRecord(
                0,
                full.created(),
                modelHash,
                model.toString(),
                s.method(),
                s.params(),
                full.filePath(),
                fileHash,
                full.sizeBytes(),
                full.bitsPerWeight(),
                full.seconds(),
                full.tensorErrors(),
                full.codeVersion()));
        CompressionRecord saved = store.compressions(modelHash).stream()
                .filter(c -> c.id() == id)
                .findFirst()
                .orElseThrow();
        return new Compressed(saved, false);
    }

    /** Where the suite writes the compressed model of one setting (a cluster job writes it there too). */
    public static Path compressedFile(Path workDir, String label, SuiteSpec.Setting s) {
        return workDir.resolve(safe(label)).resolve(slug(s) + ".safetensors");
    }

    /** The per-tensor resume state of {@link #compressedFile}. */
    public static Path tensorWorkDir(Path workDir, String label, SuiteSpec.Setting s) {
        return workDir.resolve(safe(label)).resolve(slug(s) + ".work");
    }

    /** A model's label in the suite: its {@code label}, else the file name without extension. */
    public static String label(SuiteSpec.ModelEntry me, Path model) {
        return me.label() != null && !me.label().isBlank() ? me.label() : defaultLabel(model);
    }

    /** File-name-safe, unique name of a setting: readable part + short hash of the exact parameters. */
    static String slug(SuiteSpec.Setting s) {
        var sb = new StringBuilder(s.method());
        s.params().forEach((k, v) -> sb.append('-').append(k).append(v));
        String readable = safe(sb.toString());
        if (readable.length() > 80) readable = readable.substring(0, 80);
        return readable + "-"
                + Hashing.sha256(s.method() + Json.write(s.params())).substring(0, 8);
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._=-]", "_");
    }

    private static String defaultLabel(Path model) {
        String n = model.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && Files.isRegularFile(model) ? n.substring(0, dot) : n;
    }

    private static String summary(RunRecord r) {
        var sb = new StringBuilder();
        for (String name : List.of("acc", "acc_norm", "word_perplexity", "perplexity", "kl_mean", "top1_agreement")) {
            r.metric(name)
                    .ifPresent(m -> sb.append(sb.isEmpty() ? "" : " ")
                            .append(name)
                            .append('=')
                            .append(String.format(Locale.ROOT, "%.4f", m.value())));
        }
        return sb.isEmpty() ? r.status().dbName() : sb.toString();
    }

    /** Speed and memory of the evaluated model on this machine, once per model; a failure costs no result. */
    private void measureDeployment(
            ResultsStore store, Path model, String hash, String what, ProgressListener progress) {
        if (hash == null) return;
        try {
            DeploymentRecord d = actions.deployment(store, model, hash);
            if (d != null) progress.log(what + ": " + d.describe());
        } catch (RuntimeException e) {
            progress.log(what + ": speed and memory not measured: " + message(e));
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /**
     * The work folder of a suite: its {@code workDir} (relative to the suite file), else
     * {@code $WORKBENCH_HOME/suites/<suite name>} (never beside the suite file, which may sit in a
     * source tree).
     */
    public static Path defaultWorkDir(Path suiteFile, SuiteSpec spec) {
        if (spec.workDir() != null && !spec.workDir().isBlank())
            return suiteFile
                    .toAbsolutePath()
                    .getParent()
                    .resolve(spec.workDir())
                    .normalize();
        return WorkbenchHome.dir().resolve("suites").resolve(safe(spec.name()));
    }
}
