package dev.llmcw.cli;

import dev.llmcw.cluster.SlurmEvalExecutor;
import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.calibration.CalibrationCheck;
import dev.llmcw.eval.BosMode;
import dev.llmcw.eval.EvalOptions;
import dev.llmcw.eval.EvalSettingsCheck;
import dev.llmcw.eval.EvaluationProgress;
import dev.llmcw.eval.Evaluator;
import dev.llmcw.eval.ItemSample;
import dev.llmcw.eval.ItemStore;
import dev.llmcw.eval.ItemSubset;
import dev.llmcw.eval.ScoringModel;
import dev.llmcw.eval.ScoringModels;
import dev.llmcw.eval.TaskMetrics;
import dev.llmcw.eval.TaskRegistry;
import dev.llmcw.eval.TaskResult;
import dev.llmcw.eval.export.ResultsExport;
import dev.llmcw.eval.export.SamplesLog;
import dev.llmcw.eval.tasks.Task;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.results.CompressionRecord;
import dev.llmcw.results.Deployments;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.StoredRuns;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.util.BuildInfo;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.DataPaths;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "eval",
        description = {
            "Zero-shot evaluation scored exactly like lm-evaluation-harness (loglikelihood multiple choice, rolling perplexity).",
            "Writes results.json (lm-eval layout), results.csv, results.md and one samples_<task>_<date>.jsonl per task",
            "(lm-eval's --log_samples) to --out."
        })
final class EvalCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(EvalCommand.class);

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(
            names = "--label",
            description = "model family name in the results store, tables and charts (default: the model's name; "
                    + "for a compressed model file, the name of the model it was compressed from)")
    String label;

    @Option(
            names = "--base",
            description = "uncompressed base model: adds fidelity metrics (KL, top-1 agreement, flips, Δll)")
    Path base;

    @Option(names = "--base-tokenizer", description = "tokenizer of the base model (default: --tokenizer)")
    Path baseTokenizer;

    @Option(
            names = "--tasks",
            required = true,
            split = ",",
            completionCandidates = TaskNames.class,
            description =
                    "comma-separated: ${COMPLETION-CANDIDATES} (text_ppl needs --text-file; `workbench tasks` describes them)")
    List<String> tasks;

    @Mixin
    DataOption data = new DataOption();

    // read as text so that a bad value gets one sentence naming the option (see ItemSubset.parseCount)
    @Option(
            names = "--limit",
            defaultValue = "0",
            description = "evaluate the first N items of each task's split, as lm-eval's --limit (0 = all)")
    String limitText;

    @Option(
            names = "--sample",
            defaultValue = "0",
            description = "evaluate a seeded random subset of N items per task instead (see --seed; not with --limit)")
    String sampleText;

    // read as text, like --limit, so that "abc" gets one sentence naming the option (EvalSettingsCheck)
    @Option(
            names = "--seed",
            defaultValue = "1234",
            description = "seed of the --sample subset and of the cloze construction")
    String seedText;

    private long seed;

    @Option(
            names = "--bootstrap-iters",
            defaultValue = "100000",
            description = "as lm-eval: 0 writes no standard errors; otherwise acc and acc_norm "
                    + "get the closed-form standard error of the mean (no metric of the workbench is bootstrapped)")
    int bootstrapIters;

    @Option(
            names = "--bos",
            defaultValue = "auto",
            description =
                    "auto (lm-eval <= 0.4.9.1: none; papers' ppl: tokenizer default), on (tokenizer default), off")
    String bos;

    @Option(
            names = "--max-length",
            defaultValue = "0",
            description = "max input tokens (0 = the model's context length)")
    int maxLength;

    @Option(
            names = "--batch-size",
            defaultValue = "1",
            description = "recorded for comparison with lm-eval; scoring is per item with shared contexts")
    int batchSize;

    @Option(names = "--text-file", description = "text file for the text_ppl task (documents separated by blank lines)")
    Path textFile;

    @Mixin
    OutFolderOption outFolder = new OutFolderOption();

    @Mixin
    DbOption dbOption = new DbOption();

    @Option(names = "--no-store", description = "keep results for this run only (no results database, no resume)")
    boolean noStore;

    @Option(
            names = "--no-deployment",
            description = "skip measuring the model's speed and memory on this machine after the tasks (measured"
                    + " once per model, machine and thread count; charted as accuracy vs decode speed and memory)")
    boolean noDeployment;

    @Mixin
    ExecutorOptions executorOptions = new ExecutorOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Path dataDir = data.dirOr(DataPaths.shared("datasets"));
        checkSettings(dataDir);
        EvalOnSlurm onSlurm = onSlurm();
        seed = Long.parseLong(seedText.strip());
        int limit = ItemSubset.parseCount("--limit", limitText), sample = ItemSubset.parseCount("--sample", sampleText);
        if (limit > 0 && sample > 0) throw new IllegalArgumentException(ItemSubset.BOTH_GIVEN);
        if (bootstrapIters < 0)
            throw new IllegalArgumentException("--bootstrap-iters must be 0 or positive, not " + bootstrapIters);
        EvalOptions options = new EvalOptions(BosMode.parse(bos), maxLength, limit, sample, seed, batchSize);
        List<Task> taskList = new ArrayList<>();
        for (String t : tasks) taskList.addAll(TaskRegistry.parse(t, seed, textFile));
        Path model = modelOptions.model(), tokenizer = modelOptions.tokenizer(), out = outFolder.dir();
        LOG.info("loading {}", model);
        Model loaded = ModelLoader.loadForInference(model, tokenizer);
        warnCalibrationOverlap(loaded, dataDir);
        ScoringModel m = ScoringModels.of(loaded, ScoringModels.fingerprint(model, tokenizer));
        ScoringModel b = null;
        if (base != null) {
            LOG.info("loading base {}", base);
            b = ScoringModels.load(base, baseTokenizer != null ? baseTokenizer : tokenizer);
        }
        ProgressListener progress = new ConsoleProgress();
        CancellationToken cancel = new CancellationToken();
        // Ctrl-C stops at the next item; on Slurm the hook waits (a little) for the jobs to be scancelled
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cancel.cancel();
            if (onSlurm != null) SuiteCommand.awaitQuietly(stopped);
        }));
        // one progress line over all tasks, weighted by their item counts (as the GUI's job bar)
        Map<String, Long> itemCounts = new LinkedHashMap<>();
        for (Task t : taskList) itemCounts.put(t.name(), Evaluator.itemCount(t, dataDir, options, m));
        var job = new EvaluationProgress(progress, itemCounts);
        List<TaskResult> taskResults = new ArrayList<>();
        if (noStore) {
            for (Task t : taskList) {
                TaskResult r =
                        new Evaluator(options, ItemStore.inMemory(), job.task(t.name()), cancel).run(t, dataDir, m, b);
                job.finished(t.name(), r.metrics().metrics());
                taskResults.add(r);
            }
        } else {
            try (ResultsStore store = dbOption.open()) {
                var scoring = new TaskScoring(options, m, b, job, cancel, itemCounts, onSlurm);
                evaluateStored(store, taskList, dataDir, loaded, scoring, taskResults);
                if (!noDeployment) {
                    var d = Deployments.ensure(store, ModelHashes.contentHash(modelOptions.model()), loaded);
                    System.out.println("deployment: " + d.describe() + " (" + d.protocol() + ")");
                }
            } finally {
                stopped.countDown();
            }
        }
        List<TaskMetrics> results =
                taskResults.stream().map(TaskResult::metrics).toList();
        List<TaskMetrics> baseResults = taskResults.stream()
                .map(TaskResult::baseMetrics)
                .filter(Objects::nonNull)
                .toList();
        Map<String, Object> config = ResultsExport.config(
                "model",
                "workbench",
                "model_args",
                "path=" + model + (tokenizer != null ? ",tokenizer=" + tokenizer : ""),
                "model_label",
                m.label(),
                "model_sha256",
                m.fingerprint(),
                "base",
                base == null ? null : base.toString(),
                "data",
                dataDir.toString(),
                "batch_size",
                batchSize,
                "device",
                "cpu",
                "limit",
                limit == 0 ? null : limit,
                "sample",
                sample == 0 ? null : sample,
                "bootstrap_iters",
                bootstrapIters,
                "random_seed",
                seed,
                "seed",
                seed,
                "bos",
                options.bos().name().toLowerCase(),
                "max_length",
                maxLength == 0 ? null : maxLength,
                "num_fewshot",
                0,
                "workbench_version",
                BuildInfo.version(),
                "model_name",
                model.toString());
        if (bootstrapIters == 0) {
            // as lm-eval: no standard errors at all, in the tables as in the JSON
            results = withoutStderr(results);
            baseResults = withoutStderr(baseResults);
        }
        ResultsExport.writeAll(out, m.label(), results, baseResults, config);
        String dateId = SamplesLog.dateId();
        for (TaskResult r : taskResults)
            if (!r.samples().isEmpty()) SamplesLog.write(out, r.metrics().task(), dateId, r.samples());
        System.out.print(ResultsExport.markdown(results));
        if (!baseResults.isEmpty()) {
            System.out.println("\nbase:");
            System.out.print(ResultsExport.markdown(baseResults));
        }
        System.out.println("\nwrote " + out.resolve("results.json") + ", results.csv, results.md");
        return 0;
    }

    /**
     * Runs each task through the results store: a finished run with the same cache key is reused, an
     * interrupted one resumes from its stored items, and every run is recorded for the GUI and reports.
     */
    private void evaluateStored(
            ResultsStore store,
            List<Task> taskList,
            Path dataDir,
            Model loaded,
            TaskScoring scoring,
            List<TaskResult> taskResults) {
        EvalOptions options = scoring.options();
        ScoringModel m = scoring.model();
        Path model = modelOptions.model(), tokenizer = modelOptions.tokenizer();
        String modelHash = ModelHashes.contentHash(model);
        // The compression as this store recorded it, else as the file itself says (a compressed file made
        // elsewhere is not an uncompressed model: it must not become the charts' reference line)
        var compression = store.compressionByFileHash(modelHash);
        String fileMethod = CompressedModels.method(loaded);
        String method =
                compression.map(CompressionRecord::method).orElse(fileMethod == null ? RunSpec.NO_METHOD : fileMethod);
        Map<String, String> params =
                compression.map(CompressionRecord::params).orElseGet(() -> CompressedModels.params(loaded));
        // where the run sits on the size axes: an uncompressed model's own bits/weight (32 for F32); a
        // compressed file unknown to the store has no bits over its compressed tensors on record
        Double bits = compression
                .map(CompressionRecord::bitsPerWeight)
                .orElse(fileMethod == null ? loaded.bitsPerWeight() : null);
        Long bytes = compression.map(CompressionRecord::sizeBytes).orElse(loaded.weightBytes());
        Boolean bosFlag = switch (options.bos()) {
            case ON -> Boolean.TRUE;
            case OFF -> Boolean.FALSE;
            default -> null;
        };
        var opts = new RunSpec.Options(
                options.limit() == 0 ? null : options.limit(),
                options.sample() == 0 ? null : options.sample(),
                seed,
                bosFlag,
                maxLength == 0 ? null : maxLength,
                null,
                null,
                CompressedModels.codePath(loaded),
                tokenizer == null ? Map.of() : Map.of("tokenizer", m.fingerprint()));
        if (base != null) opts = opts.withFidelityBase(base.toString(), ModelHashes.contentHash(base));
        RunSpec spec = new RunSpec(
                model.toString(),
                familyLabel(loaded),
                modelHash,
                method,
                params,
                taskList.stream().map(Task::name).toList(),
                opts);
        // on Slurm the items are scored by the jobs first; the runs below then only read them back
        SlurmEvalExecutor.ShardedItems sharded = scoring.slurm() == null
                ? null
                : scoring.slurm().score(store, spec, taskList, scoring.itemCounts(), dataDir, scoring.cancel());
        for (Task t : taskList) {
            String dataHash = t.dataFingerprint(dataDir);
            TaskResult[] fresh = new TaskResult[1];
            var outcome =
                    StoredRuns.execute(store, spec, t.name(), t.version(), dataHash, bits, bytes, (key, items) -> {
                        ItemStore source = sharded == null ? items : sharded.forTask(t.name(), items);
                        fresh[0] = new Evaluator(
                                        options, source, scoring.progress().task(t.name()), scoring.cancel())
                                .run(t, dataDir, m, scoring.base());
                        return new StoredRuns.Result(fresh[0].metrics(), fresh[0].runKey());
                    });
            if (outcome.reused())
                scoring.progress()
                        .reused(t.name(), outcome.run().toTaskMetrics().metrics());
            else scoring.progress().finished(t.name(), fresh[0].metrics().metrics());
            if (outcome.reused()) {
                LOG.info(
                        "{}: stored result of run {} reused",
                        t.name(),
                        outcome.run().id());
                // the per-sample log comes from the stored items (read back, not scored again)
                List<ItemSample> samples = List.of();
                try {
                    samples = new Evaluator(options, ItemStore.readOnly(store), ProgressListener.NONE, scoring.cancel())
                            .run(t, dataDir, m, scoring.base())
                            .samples();
                } catch (ItemStore.NotStoredException e) {
                    LOG.warn(
                            "{}: no per-sample log: the reused run's items are not in the results store ({})",
                            t.name(),
                            e.getMessage());
                }
                taskResults.add(new TaskResult(
                        outcome.run().toTaskMetrics(), null, outcome.run().itemKey(), null, samples));
            } else {
                taskResults.add(fresh[0]);
            }
        }
    }

    /** Every setting checked before the model is loaded or anything is written: the first problem is the error. */
    private void checkSettings(Path dataDir) {
        var problems = new ArrayList<>(
                EvalSettingsCheck.problems("--limit", limitText, "--sample", sampleText, "--seed", seedText));
        problems.add(EvalSettingsCheck.taskProblem(tasks));
        boolean dataTasks =
                tasks.stream().map(TaskRegistry::find).flatMap(Optional::stream).anyMatch(d -> !d.needsTextFile());
        if (dataTasks) problems.add(EvalSettingsCheck.dataProblem(dataDir));
        problems.add(EvalSettingsCheck.textFileProblem(textFile));
        problems.removeIf(Objects::isNull);
        if (!problems.isEmpty()) throw new IllegalArgumentException(problems.getFirst());
    }

    /** A compressed model calibrated on a file named like the text it is now scored on gets a warning first. */
    private void warnCalibrationOverlap(Model loaded, Path dataDir) {
        String calibration = CompressedModels.params(loaded).get("calibration");
        if (calibration == null) return;
        for (Path text : EvalSettingsCheck.evaluationTexts(tasks, dataDir, textFile)) {
            String warning = CalibrationCheck.recordedOverlapWarning(calibration, text);
            if (warning != null) spec.commandLine().getErr().println(warning);
        }
    }

    private static List<TaskMetrics> withoutStderr(List<TaskMetrics> results) {
        return results.stream()
                .map(t -> {
                    Map<String, Double> metrics = new LinkedHashMap<>(t.metrics());
                    metrics.keySet().removeIf(k -> k.endsWith("_stderr"));
                    return new TaskMetrics(t.task(), t.taskVersion(), t.items(), metrics, t.details());
                })
                .toList();
    }

    /**
     * How each task is scored: the model, the base model for fidelity (or null), options, progress, cancel, the
     * tasks' item counts, and the Slurm executor (null: here, in this process).
     */
    private record TaskScoring(
            EvalOptions options,
            ScoringModel model,
            ScoringModel base,
            EvaluationProgress progress,
            CancellationToken cancel,
            Map<String, Long> itemCounts,
            EvalOnSlurm slurm) {}

    /** The Slurm executor when {@code --executor slurm} (its jobs' workspace: {@code <out>/slurm}), else null. */
    private EvalOnSlurm onSlurm() {
        SuiteSpec.Executor executor = executorOptions.over(SuiteSpec.Executor.local());
        if (!executor.isSlurm()) return null;
        String problem = EvalOnSlurm.problem(noStore, modelOptions.tokenizer(), baseTokenizer, textFile);
        if (problem != null) throw new IllegalArgumentException(problem);
        return new EvalOnSlurm(executor, outFolder.dir().resolve("slurm"));
    }

    /** --label, else the name of the model a compressed file was made from, else the model's own. */
    private String familyLabel(Model loaded) {
        if (label != null && !label.isBlank()) return label.strip();
        String source = loaded.metadata().get(CompressedFormat.KEY_SOURCE);
        if (CompressedModels.method(loaded) != null && source != null && !source.isBlank()) {
            return Path.of(source).getFileName().toString();
        }
        return loaded.label();
    }

    /** One carriage-return status line over the whole evaluation on stderr; log lines (task metrics) on lines of their own. */
    static final class ConsoleProgress implements ProgressListener {
        private long last;

        @Override
        public synchronized void update(String stage, long done, long total, String message) {
            if (done < 0 && total < 0) {
                System.err.printf("\r%-80s%n", stage);
                return;
            }
            long now = System.nanoTime();
            if (done != total && now - last < 200_000_000L) return;
            last = now;
            System.err.printf("\r%-16s %6d/%-6d %s        ", stage, done, total, message);
        }
    }
}
