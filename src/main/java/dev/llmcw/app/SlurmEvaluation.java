package dev.llmcw.app;

import dev.llmcw.cluster.ShardWatch;
import dev.llmcw.cluster.Slurm;
import dev.llmcw.cluster.SlurmEvalExecutor;
import dev.llmcw.eval.tasks.Task;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The Evaluate view's Slurm executor: the tasks of one model without a finished stored run are scored as
 * item-range shards by cluster jobs ({@link SlurmEvalExecutor}; one set of arrays per data folder), and their
 * items imported into the results store. {@link EngineEvaluationService} then evaluates over those items
 * read-only and stores the runs exactly as it does locally.
 */
final class SlurmEvaluation {
    /**
     * One model's evaluation: the store, the run spec its runs are stored under (any of its tasks: the options
     * are the same), its tasks by name with each one's data folder and item count.
     */
    record Work(
            ResultsStore store,
            RunSpec spec,
            Map<String, Task> tasks,
            Map<String, Path> dataDirs,
            Map<String, Long> itemCounts) {}

    private final Slurm slurm;
    private final BooleanSupplier onPath;
    private final Path workspace;
    private final long pollMillis;

    /**
     * @param workspace the jobs' shared folder (plans, scripts, logs, shard outputs)
     * @param pollMillis time between two looks at the queue
     */
    SlurmEvaluation(Slurm slurm, BooleanSupplier onPath, Path workspace, long pollMillis) {
        this.slurm = slurm;
        this.onPath = onPath;
        this.workspace = workspace;
        this.pollMillis = pollMillis;
    }

    /** Why evaluations cannot go to Slurm from here, or null. */
    String problem() {
        return onPath.getAsBoolean()
                ? null
                : "The Slurm executor needs sbatch and squeue on PATH (a Slurm login node, or tools/slurm-local start);"
                        + " choose Local to run here.";
    }

    /** Scores the tasks not stored as done on Slurm; the shards of each task by its name. */
    Map<String, SlurmEvalExecutor.ShardedItems> score(
            Work w,
            SuiteSpec.Executor settings,
            ShardWatch shards,
            ProgressListener progress,
            CancellationToken cancel) {
        Path model = Path.of(w.spec().modelPath());
        if (!Files.exists(model))
            throw new IllegalArgumentException(model + " is not on disk, so cluster jobs cannot load it;"
                    + " save the model first or choose Local.");
        // tasks whose data comes from another folder (a dataset file chosen for them) go in arrays of their own
        Map<Path, Map<String, Long>> byData = new LinkedHashMap<>();
        for (var e : w.tasks().entrySet()) {
            Task t = e.getValue();
            if (w.store()
                    .findDone(
                            w.spec().cacheKey(t.name(), t.version(), null),
                            w.spec().options())
                    .isPresent()) continue;
            byData.computeIfAbsent(w.dataDirs().get(e.getKey()), d -> new LinkedHashMap<>())
                    .put(e.getKey(), w.itemCounts().get(e.getKey()));
        }
        var executor = new SlurmEvalExecutor(slurm, settings, progress, cancel)
                .pollEvery(pollMillis)
                .watch(shards == null ? new ShardWatch() : shards);
        Map<String, SlurmEvalExecutor.ShardedItems> out = new HashMap<>();
        for (var e : byData.entrySet()) {
            var request = new SlurmEvalExecutor.Request(
                    model, w.spec().modelLabel(), w.spec().options(), e.getValue(), e.getKey(), workspace);
            SlurmEvalExecutor.ShardedItems sharded = executor.run(request, w.store());
            for (String task : e.getValue().keySet()) out.put(task, sharded);
        }
        return out;
    }
}
