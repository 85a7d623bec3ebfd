package dev.llmcw.cluster;

import dev.llmcw.eval.ItemStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the scoring of one model's evaluation ({@code eval --executor slurm}) on Slurm: each task's selected
 * items are cut into shards of {@code shardItems} consecutive items, one job array per task, submitted and
 * followed by the suite executor's {@link JobTracker} (failed tasks resubmitted alone, cancel is
 * {@code scancel}). The plan is written as {@code plan-<first unit>.json}. The shard files are then imported into the caller's item store; the caller evaluates each
 * task as it does locally over {@link ShardedItems#forTask read-only items}, so the metrics are recomputed from
 * the stored items exactly as a local run computes them, and nothing is scored in the submitting process.
 */
public final class SlurmEvalExecutor {
    private final Slurm slurm;
    private final SuiteSpec.Executor settings;
    private final ProgressListener progress;
    private final CancellationToken cancel;
    private long pollMillis = 2000;
    private ShardWatch watch = new ShardWatch();

    public SlurmEvalExecutor(
            Slurm slurm, SuiteSpec.Executor settings, ProgressListener progress, CancellationToken cancel) {
        this.slurm = slurm;
        this.settings = settings;
        this.progress = progress;
        this.cancel = cancel;
    }

    /** Time between two looks at the queue (default 2 s). */
    public SlurmEvalExecutor pollEvery(long millis) {
        this.pollMillis = millis;
        return this;
    }

    /** Where the shards' live states go and resubmission requests come from (the GUI's Jobs view). */
    public SlurmEvalExecutor watch(ShardWatch w) {
        this.watch = w;
        return this;
    }

    /**
     * What one model's evaluation asks of the cluster.
     *
     * @param model      the model file the jobs load (absolute: the nodes see the same paths)
     * @param label      its family label (logs and job names only)
     * @param options    the run options as the caller's run records them; they decide the items' keys
     * @param itemCounts the tasks to score and how many items each run evaluates (after limit / sample)
     * @param dataDir    the task data folder
     * @param workspace  the shared folder of plan, job scripts, logs and shard outputs
     */
    public record Request(
            Path model,
            String label,
            RunSpec.Options options,
            Map<String, Long> itemCounts,
            Path dataDir,
            Path workspace) {}

    /**
     * Plans the shards, submits those without an output yet, waits for them (resubmitting failed tasks) and
     * imports every finished shard into {@code items}. Shards given up after their retries are left out of the
     * import; {@link ShardedItems#forTask} then names them.
     */
    public ShardedItems run(Request r, ItemStore items) {
        if (r.itemCounts().isEmpty()) return new ShardedItems(Map.of());
        Path ws = r.workspace().toAbsolutePath().normalize();
        Path model = r.model().toAbsolutePath().normalize();
        int shardItems = settings.shardItemsOrDefault();
        Map<String, List<WorkUnit>> byTask = new LinkedHashMap<>();
        List<WorkUnit> all = new ArrayList<>();
        for (var e : r.itemCounts().entrySet()) {
            List<WorkUnit> units = WorkUnit.evalShards(
                    model.toString(),
                    r.label(),
                    e.getKey(),
                    r.options(),
                    e.getValue(),
                    shardItems,
                    ws.resolve("shards"));
            byTask.put(e.getKey(), units);
            all.addAll(units);
        }
        // named after its first unit (a hash of model, task, options, items): evaluations of other models sharing
        // the workspace, even at the same time, never overwrite the plan their jobs read
        Path planFile = ws.resolve("plan-" + all.getFirst().id() + ".json");
        new ClusterPlan(
                        r.dataDir().toAbsolutePath().normalize().toString(),
                        model.getParent().toString(),
                        all)
                .write(planFile);
        var tracker = new JobTracker(slurm, settings.retriesOrDefault(), pollMillis, progress, cancel).watch(watch);
        try {
            List<String> launcher = WorkbenchLauncher.command(settings.launcher());
            Files.createDirectories(ws.resolve("logs"));
            int arrays = 0;
            for (List<WorkUnit> units : byTask.values()) {
                List<WorkUnit> todo = units.stream().filter(u -> !u.done()).toList();
                if (todo.isEmpty()) continue;
                String name = "wb-" + todo.getFirst().id();
                tracker.submit(JobScripts.write(ws, name, todo, planFile, settings, launcher), todo, null);
                arrays++;
            }
            progress.log(
                    arrays == 0
                            ? "slurm: nothing to submit (every shard output exists)"
                            : "slurm: " + arrays + " job array(s) submitted; workspace " + ws);
            tracker.await();
        } catch (IOException e) {
            tracker.cancelAll();
            throw new UncheckedIOException("slurm: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            tracker.cancelAll();
            Thread.currentThread().interrupt();
            throw new CancellationToken.CancelledException();
        }
        if (tracker.resubmitted() > 0) progress.log("slurm: " + tracker.resubmitted() + " task(s) resubmitted");
        int imported = 0;
        for (WorkUnit u : all) {
            if (!u.done()) continue;
            try {
                ShardOutput.read(Path.of(u.output())).importInto(items);
                imported++;
            } catch (IllegalArgumentException e) {
                progress.log("slurm: " + e.getMessage());
            }
        }
        progress.log("slurm: merged " + imported + " of " + all.size() + " shard file(s) from " + ws);
        return new ShardedItems(byTask);
    }

    /** The shards of each task after the jobs ended: which finished, and the items to evaluate over. */
    public static final class ShardedItems {
        private final Map<String, List<WorkUnit>> byTask;

        ShardedItems(Map<String, List<WorkUnit>> byTask) {
            this.byTask = byTask;
        }

        /**
         * The items a task's evaluation reads: {@code store} read-only, so an item no shard produced fails
         * instead of being scored here.
         *
         * @throws IllegalStateException naming the first shard of the task without output
         */
        public ItemStore forTask(String task, ItemStore store) {
            for (WorkUnit u : byTask.getOrDefault(task, List.of()))
                if (!u.done())
                    throw new IllegalStateException("shard " + u.describe() + " did not finish (no " + u.output()
                            + "); run the evaluation again to resubmit it");
            return ItemStore.readOnly(store);
        }

        /** Shards planned over all tasks. */
        public int shardCount() {
            return byTask.values().stream().mapToInt(List::size).sum();
        }
    }
}
