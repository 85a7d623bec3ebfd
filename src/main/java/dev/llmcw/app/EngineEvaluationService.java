package dev.llmcw.app;

import dev.llmcw.cluster.ShardWatch;
import dev.llmcw.cluster.Slurm;
import dev.llmcw.cluster.SlurmEvalExecutor;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.engine.DeploymentProbe;
import dev.llmcw.eval.BosMode;
import dev.llmcw.eval.EvalOptions;
import dev.llmcw.eval.EvaluationProgress;
import dev.llmcw.eval.Evaluator;
import dev.llmcw.eval.ItemStore;
import dev.llmcw.eval.ScoringModel;
import dev.llmcw.eval.ScoringModels;
import dev.llmcw.eval.TaskRegistry;
import dev.llmcw.eval.TaskResult;
import dev.llmcw.eval.tasks.Task;
import dev.llmcw.model.Model;
import dev.llmcw.report.RunRow;
import dev.llmcw.report.RunRows;
import dev.llmcw.results.Deployments;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.StoredRuns;
import dev.llmcw.results.WorkbenchHome;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Evaluation through the lm-eval-exact {@link Evaluator}. With a results store, every task goes
 * through {@link StoredRuns} like the CLI and suites (finished runs are reused, unfinished ones
 * resume from their stored items, the run is recorded); without one, items live in memory for the
 * session. On the Slurm executor (with a store) the items are scored by cluster jobs first ({@link
 * SlurmEvaluation}) and the runs then read them back.
 */
public final class EngineEvaluationService implements EvaluationService {
    /** What the per-item view needs to find a run's items again. */
    private record RunContext(String task, long seed, Path dataDir, String runKey, String baseRunKey) {}

    private final ResultsStore store;
    private final ItemStore items;
    private final Path dataDir;
    private final Map<Path, String> fingerprints = new ConcurrentHashMap<>();
    private final Map<String, RunContext> runs = new ConcurrentHashMap<>();
    private SlurmEvaluation slurm = new SlurmEvaluation(
            Slurm.system(), Slurm::onPath, WorkbenchHome.dir().resolve("eval-slurm"), 2000);

    /**
     * @param store   results store, or null to keep this session's items in memory
     * @param dataDir folder laid out like shared/datasets (or the repository's datasets/ samples)
     */
    public EngineEvaluationService(ResultsStore store, Path dataDir) {
        this.store = store;
        this.items = store != null ? store : ItemStore.inMemory();
        this.dataDir = dataDir;
    }

    @Override
    public Path defaultDataDir() {
        return dataDir;
    }

    @Override
    public List<TaskInfo> tasks() {
        boolean haveData = dataDir != null && Files.isDirectory(dataDir);
        return TaskRegistry.onDataFolder().stream()
                .map(d -> new TaskInfo(
                        d.name(),
                        d.displayName(),
                        true,
                        haveData ? "" : "No evaluation data folder found: choose one."))
                .toList();
    }

    /**
     * The Slurm commands, whether they can run here, the jobs' shared folder (default {@code
     * $WORKBENCH_HOME/eval-slurm}) and the time between two looks at the queue.
     */
    public EngineEvaluationService slurm(Slurm commands, BooleanSupplier onPath, Path workspace, long pollMillis) {
        this.slurm = new SlurmEvaluation(commands, onPath, workspace, pollMillis);
        return this;
    }

    @Override
    public String executorProblem(SuiteSpec.Executor executor) {
        if (!executor.isSlurm()) return null;
        if (store == null)
            return "The Slurm executor stores the shards' items in the results database, and this session keeps"
                    + " results in memory; choose Local.";
        return slurm.problem();
    }

    @Override
    public List<RunRow> evaluate(Request req, ProgressListener progress, CancellationToken cancel) {
        return evaluate(req, SuiteSpec.Executor.local(), null, progress, cancel);
    }

    @Override
    public List<RunRow> evaluate(
            Request req,
            SuiteSpec.Executor executor,
            ShardWatch shards,
            ProgressListener progress,
            CancellationToken cancel) {
        String problem = executorProblem(executor);
        if (problem != null) throw new IllegalArgumentException(problem);
        // setup (fingerprints, data, item counts) checks the token between steps: a cancel stops before scoring
        cancel.throwIfCancelled();
        ScoringModel model = scoring(req.model());
        cancel.throwIfCancelled();
        ScoringModel base = req.base() == null ? null : scoring(req.base());
        var options = new EvalOptions(BosMode.AUTO, 0, req.limit(), req.sample(), req.seed(), 1);
        Map<String, Task> tasks = new LinkedHashMap<>();
        Map<String, Path> dataDirs = new HashMap<>();
        Map<String, Long> items = new LinkedHashMap<>();
        for (String name : req.tasks()) {
            cancel.throwIfCancelled();
            Task task = TaskRegistry.create(name, req.seed(), null);
            Path data = dataDir(req, name);
            tasks.put(name, task);
            dataDirs.put(name, data);
            items.put(name, Evaluator.itemCount(task, data, options, model));
        }
        // on Slurm the jobs score the items first; the runs below only read them back
        Map<String, SlurmEvalExecutor.ShardedItems> sharded = executor.isSlurm()
                ? slurm.score(
                        new SlurmEvaluation.Work(store, spec(req, req.tasks().getFirst()), tasks, dataDirs, items),
                        executor,
                        shards,
                        progress,
                        cancel)
                : Map.of();
        var job = new EvaluationProgress(progress, items);
        var rows = new ArrayList<RunRow>();
        for (String name : tasks.keySet()) {
            cancel.throwIfCancelled();
            Task task = tasks.get(name);
            Path data = dataDirs.get(name);
            ProgressListener taskProgress = job.task(name);
            var result = new TaskResult[1];
            RunRow row;
            if (store != null) {
                RunSpec spec = spec(req, name);
                cancel.throwIfCancelled();
                var outcome = StoredRuns.execute(
                        store,
                        spec,
                        task.name(),
                        task.version(),
                        null,
                        bits(req.model()),
                        bytes(req.model()),
                        (runKey, itemStore) -> {
                            ItemStore source = sharded.containsKey(name)
                                    ? sharded.get(name).forTask(name, itemStore)
                                    : itemStore;
                            result[0] =
                                    new Evaluator(options, source, taskProgress, cancel).run(task, data, model, base);
                            return new StoredRuns.Result(result[0].metrics(), result[0].runKey());
                        });
                if (outcome.reused())
                    progress.log(name + ": reused finished run " + outcome.run().id() + " from " + store.file());
                row = RunRows.of(outcome.run());
                String itemKey = outcome.run().itemKey();
                runs.put(
                        row.runId(),
                        new RunContext(
                                name, req.seed(), data, itemKey, result[0] == null ? null : result[0].baseRunKey()));
                if (outcome.reused()) job.reused(name, row.metrics());
                else job.finished(name, result[0].metrics().metrics());
            } else {
                result[0] = new Evaluator(options, this.items, taskProgress, cancel).run(task, data, model, base);
                row = row(
                        req,
                        result[0].runKey(),
                        name,
                        new HashMap<>(result[0].metrics().metrics()));
                runs.put(
                        row.runId(),
                        new RunContext(name, req.seed(), data, result[0].runKey(), result[0].baseRunKey()));
                job.finished(name, result[0].metrics().metrics());
            }
            rows.add(row);
        }
        if (store != null) {
            // once per model and machine: how it runs here, for the speed and memory charts
            progress.log("speed and memory on this machine: " + DeploymentProbe.PROTOCOL);
            var d = Deployments.ensure(
                    store,
                    ModelHashes.contentHash(req.model().path()),
                    req.model().model());
            progress.log("deployment: " + d.describe());
            rows.replaceAll(r -> r.withDeployment(d));
        }
        return rows;
    }

    /** The task's data folder: a chosen dataset file's folder, else the request's, else the default. */
    private Path dataDir(Request req, String name) {
        Path override = req.datasetFiles().get(name);
        Path data = override != null
                ? override.toAbsolutePath().getParent()
                : req.dataDir() != null ? req.dataDir() : dataDir;
        if (data == null) throw new IllegalArgumentException("no data folder for " + name + ": choose one in Evaluate");
        return data;
    }

    private RunSpec spec(Request req, String task) {
        ModelHandle m = req.model();
        String hash = ModelHashes.contentHash(m.path());
        String baseHash =
                req.base() == null ? null : ModelHashes.contentHash(req.base().path());
        var options = new RunSpec.Options(
                req.limit() == 0 ? null : req.limit(),
                req.sample() == 0 ? null : req.sample(),
                req.seed(),
                null,
                null,
                req.base() == null ? null : req.base().path().toString(),
                baseHash,
                m.model() == null ? CompressedModels.DENSE : CompressedModels.codePath(m.model()),
                Map.of());
        return new RunSpec(
                m.path().toString(),
                req.modelLabel(),
                hash,
                m.isBase() ? RunSpec.NO_METHOD : m.method(),
                m.report() == null ? Map.of() : m.report().parameters(),
                List.of(task),
                options);
    }

    /** Items of a run evaluated in this session (prompt, choices, log-likelihoods, base answer). */
    public List<ResultsService.ItemDetail> items(String runId) {
        RunContext c = runs.get(runId);
        if (c == null || c.runKey() == null) return List.of();
        return ItemDetails.of(
                c.task(),
                c.seed(),
                c.dataDir(),
                items.load(c.runKey()),
                c.baseRunKey() == null ? null : items.load(c.baseRunKey()));
    }

    private ScoringModel scoring(ModelHandle h) {
        String fp = fingerprints.computeIfAbsent(h.path().toAbsolutePath(), p -> ScoringModels.fingerprint(p, null));
        return ScoringModels.of(h.model(), fp);
    }

    static double bits(ModelHandle m) {
        if (m.report() != null && m.report().size() != null)
            return m.report().size().bitsPerCompressedWeight();
        return Model.bitsPerWeight(m.card().weightBytes(), m.card().parameters());
    }

    static long bytes(ModelHandle m) {
        if (m.report() != null && m.report().size() != null)
            return m.report().size().totalBytes();
        return m.card().weightBytes();
    }

    static RunRow row(Request req, String runKey, String task, Map<String, Double> metrics) {
        ModelHandle m = req.model();
        String id = runKey.length() > 12 ? runKey.substring(runKey.length() - 12) : runKey;
        return new RunRow(
                id,
                req.modelLabel(),
                m.method(),
                m.report() == null ? Map.of() : m.report().parameters(),
                bits(m),
                bytes(m),
                task,
                metrics,
                Instant.now().toString(),
                RunRow.Measured.UNKNOWN);
    }
}
