package dev.llmcw.suite;

import dev.llmcw.compress.CompressedModels;
import dev.llmcw.eval.BosMode;
import dev.llmcw.eval.EvalOptions;
import dev.llmcw.eval.Evaluator;
import dev.llmcw.eval.ItemRange;
import dev.llmcw.eval.ItemStore;
import dev.llmcw.eval.ScoringModel;
import dev.llmcw.eval.ScoringModels;
import dev.llmcw.eval.TaskRegistry;
import dev.llmcw.eval.TaskResult;
import dev.llmcw.eval.tasks.Task;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.StoredRuns;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Suite evaluation through the lm-eval-exact {@link Evaluator}: tasks from {@link TaskRegistry}, data
 * from one data folder (the shared datasets, a download folder or the repository's samples), items
 * stored under the evaluator's own run key. The model being evaluated and the fidelity base stay
 * loaded between the tasks of one setting.
 */
public final class EvalTaskEvaluator implements WorkbenchSuiteActions.TaskEvaluator {
    private final Path dataDir;
    private final Map<String, String> dataHashes = new ConcurrentHashMap<>();
    private Path lastModelPath;
    private ScoringModel lastModel;
    private String lastCodePath;
    private Path lastBasePath;
    private ScoringModel lastBase;

    public EvalTaskEvaluator(Path dataDir) {
        this.dataDir = dataDir;
    }

    private static Task task(String name, long seed) {
        return TaskRegistry.create(name, seed, null);
    }

    @Override
    public String taskVersion(String task) {
        return task(task, 1234).version();
    }

    /** Content fingerprint of the task's items as the evaluator reads them (part of the run key). */
    @Override
    public String dataHash(String name) {
        return dataHashes.computeIfAbsent(name, n -> task(n, 1234).dataFingerprint(dataDir));
    }

    @Override
    public StoredRuns.Result evaluate(
            Path model,
            String taskName,
            RunSpec.Options o,
            String runKey,
            ItemStore items,
            ProgressListener progress,
            CancellationToken cancel) {
        return evaluate(model, taskName, o, ItemRange.ALL, items, progress, cancel);
    }

    /**
     * Evaluates only {@code range} of the task's selected items (one shard of a cluster run): the items land in
     * {@code items} under the whole run's keys; the metrics returned cover the range alone.
     */
    public synchronized StoredRuns.Result evaluate(
            Path model,
            String taskName,
            RunSpec.Options o,
            ItemRange range,
            ItemStore items,
            ProgressListener progress,
            CancellationToken cancel) {
        EvalOptions eo = evalOptions(o);
        ScoringModel scoring = scoringModel(model, o.codePath());
        ScoringModel base = null;
        if (o.fidelityBase() != null) {
            Path b = Path.of(o.fidelityBase());
            if (!b.equals(lastBasePath)) {
                lastBase = ScoringModels.load(b, null);
                lastBasePath = b;
            }
            base = lastBase;
        }
        TaskResult r =
                new Evaluator(eo, items, progress, cancel, range).run(task(taskName, o.seed()), dataDir, scoring, base);
        return new StoredRuns.Result(r.metrics(), r.runKey());
    }

    /** Items a run of {@code taskName} on {@code model} evaluates (after --limit / --sample); scores nothing. */
    public synchronized long itemCount(Path model, String taskName, RunSpec.Options o) {
        return Evaluator.itemCount(
                task(taskName, o.seed()), dataDir, evalOptions(o), scoringModel(model, o.codePath()));
    }

    /** The model as the run's code path says: a compressed file's layers on the fly or decoded to dense. */
    private ScoringModel scoringModel(Path model, String codePath) {
        if (!Objects.equals(model, lastModelPath) || !Objects.equals(codePath, lastCodePath)) {
            boolean onTheFly = CompressedModels.ON_THE_FLY.equals(codePath);
            lastModel =
                    ScoringModels.of(ModelLoader.load(model, null, onTheFly), ScoringModels.fingerprint(model, null));
            lastModelPath = model;
            lastCodePath = codePath;
        }
        return lastModel;
    }

    private static EvalOptions evalOptions(RunSpec.Options o) {
        // RunSpec's bos null = "as lm-eval does" (AUTO: no BOS for loglikelihood tasks up to lm-eval 0.4.9.1)
        BosMode bos = o.bos() == null ? BosMode.AUTO : o.bos() ? BosMode.ON : BosMode.OFF;
        return new EvalOptions(
                bos,
                o.maxLength() == null ? 0 : o.maxLength(),
                o.limit() == null ? 0 : o.limit(),
                o.sample() == null ? 0 : o.sample(),
                o.seed(),
                1);
    }
}
