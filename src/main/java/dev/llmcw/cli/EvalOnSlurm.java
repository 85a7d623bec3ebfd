package dev.llmcw.cli;

import dev.llmcw.cluster.Slurm;
import dev.llmcw.cluster.SlurmEvalExecutor;
import dev.llmcw.eval.tasks.Task;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.suite.TerminalProgress;
import dev.llmcw.util.CancellationToken;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code eval --executor slurm}: the tasks without a finished stored run are scored as item-range shards on
 * Slurm and their items imported into the results store; the command's own evaluation then reads them back
 * (read-only) and stores the runs exactly as a local {@code eval} does.
 */
final class EvalOnSlurm {
    private final SuiteSpec.Executor settings;
    private final Path workspace;

    /** @param workspace the shared folder of the jobs (plan, scripts, logs, shard outputs) */
    EvalOnSlurm(SuiteSpec.Executor settings, Path workspace) {
        this.settings = settings;
        this.workspace = workspace;
    }

    /**
     * Why this evaluation cannot run on Slurm, or null. The jobs load the model and the base by their paths
     * alone, so explicit tokenizers and a text file are not carried to them (yet).
     */
    static String problem(boolean noStore, Path tokenizer, Path baseTokenizer, Path textFile) {
        if (noStore) return "--executor slurm stores the shards' items in the results database; not with --no-store";
        if (tokenizer != null || baseTokenizer != null)
            return "--executor slurm loads models with their own tokenizers; not with --tokenizer or --base-tokenizer";
        if (textFile != null) return "--executor slurm does not run text_ppl (--text-file); run it locally";
        if (!Slurm.onPath())
            return "--executor slurm: sbatch and squeue are not on PATH (a Slurm login node, or tools/slurm-local start)";
        return null;
    }

    /** Scores every task of {@code spec} that is not stored as done, on Slurm, and imports the shards' items. */
    SlurmEvalExecutor.ShardedItems score(
            ResultsStore store,
            RunSpec spec,
            List<Task> tasks,
            Map<String, Long> itemCounts,
            Path dataDir,
            CancellationToken cancel) {
        Map<String, Long> todo = new LinkedHashMap<>();
        for (Task t : tasks) {
            String key = spec.cacheKey(t.name(), t.version(), t.dataFingerprint(dataDir));
            if (store.findDone(key, spec.options()).isEmpty()) todo.put(t.name(), itemCounts.get(t.name()));
        }
        var request = new SlurmEvalExecutor.Request(
                Path.of(spec.modelPath()), spec.modelLabel(), spec.options(), todo, dataDir, workspace);
        return new SlurmEvalExecutor(Slurm.system(), settings, TerminalProgress.stdout(), cancel).run(request, store);
    }
}
