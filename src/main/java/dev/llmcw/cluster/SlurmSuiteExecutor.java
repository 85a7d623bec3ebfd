package dev.llmcw.cluster;

import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.suite.SuiteActions;
import dev.llmcw.suite.SuiteReport;
import dev.llmcw.suite.SuiteRunner;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.suite.WorkbenchSuiteActions;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs a suite on Slurm: plans its units ({@link ClusterPlanner}), writes the plan and one batch script per
 * job array into the workspace {@code <workDir>/slurm} (which the nodes must see: a shared filesystem),
 * submits and follows them ({@link JobTracker}), then merges: every shard file is imported into the results
 * database (insert or replace, so twice is once) and the local {@link SuiteRunner} walks the suite over
 * {@link MergeActions}, recomputing every metric from the stored items exactly as a local run does. Only this
 * process writes the database; the jobs write files.
 */
public final class SlurmSuiteExecutor {
    private final ResultsStore store;
    private final ModelHashes hashes;
    private final Slurm slurm;
    private final ProgressListener progress;
    private final CancellationToken cancel;
    private long pollMillis = 2000;
    private ShardWatch watch = new ShardWatch();

    public SlurmSuiteExecutor(
            ResultsStore store, ModelHashes hashes, Slurm slurm, ProgressListener progress, CancellationToken cancel) {
        this.store = store;
        this.hashes = hashes;
        this.slurm = slurm;
        this.progress = progress;
        this.cancel = cancel;
    }

    /** Time between two looks at the queue (default 2 s). */
    public SlurmSuiteExecutor pollEvery(long millis) {
        this.pollMillis = millis;
        return this;
    }

    /** Where the shards' live states go and resubmission requests come from (the GUI's Jobs view). */
    public SlurmSuiteExecutor watch(ShardWatch w) {
        this.watch = w;
        return this;
    }

    /** The shared folder of a suite's jobs: plan, scripts, logs, shard outputs. */
    public static Path workspace(Path workDir) {
        return workDir.toAbsolutePath().normalize().resolve("slurm");
    }

    /** Plans, submits, waits (resubmitting failed tasks) and merges; relative paths resolve against {@code baseDir}. */
    public SuiteReport run(SuiteSpec suite, Path baseDir, Path workDir, Path dataDir) {
        Path work = workDir.toAbsolutePath().normalize();
        Path ws = workspace(work);
        SuiteSpec.Executor ex = suite.executorOrLocal();
        var planned = new ClusterPlanner(store, hashes)
                .plan(suite, baseDir.toAbsolutePath(), work, dataDir.toAbsolutePath(), ws.resolve("shards"));
        Path planFile = ws.resolve("plan.json");
        planned.plan().write(planFile);
        var tracker = new JobTracker(slurm, ex.retriesOrDefault(), pollMillis, progress, cancel).watch(watch);
        try {
            List<String> launcher = WorkbenchLauncher.command(ex.launcher());
            Files.createDirectories(ws.resolve("logs"));
            for (ClusterPlanner.JobGroup g : planned.groups()) {
                Path script = JobScripts.write(ws, g.name(), g.units(), planFile, ex, launcher);
                tracker.submitAfter(script, g.units(), g.afterUnits());
            }
            progress.log(
                    planned.groups().isEmpty()
                            ? "slurm: nothing to submit (all outputs exist or runs are stored)"
                            : "slurm: " + planned.groups().size() + " job array(s) submitted; workspace " + ws);
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
        return merge(suite, baseDir, work, dataDir);
    }

    /**
     * Imports the workspace's shard files and walks the suite over them (see the class comment). Running it
     * again changes nothing: the items are replaced by themselves and the finished runs are reused.
     */
    public SuiteReport merge(SuiteSpec suite, Path baseDir, Path workDir, Path dataDir) {
        Path ws = workspace(workDir);
        int imported = importShards(ws.resolve("shards"));
        progress.log("slurm: merged " + imported + " shard file(s) from " + ws);
        Path planFile = ws.resolve("plan.json");
        List<WorkUnit> units =
                Files.isRegularFile(planFile) ? ClusterPlan.read(planFile).units() : List.of();
        SuiteActions local = WorkbenchSuiteActions.standard(dataDir, baseDir);
        return new SuiteRunner(store, new MergeActions(local, units), hashes, progress, cancel)
                .run(suite, baseDir, workDir.toAbsolutePath().normalize());
    }

    /** Imports every whole shard file; a file that is not whole is named in the log and left out. */
    private int importShards(Path dir) {
        if (!Files.isDirectory(dir)) return 0;
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            // AtomicFiles' temporaries are hidden (".name.tmp"): a shard still being written is never read
            s.filter(p -> p.getFileName().toString().endsWith(".json")
                            && !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list shard outputs in " + dir + ": " + e.getMessage(), e);
        }
        int n = 0;
        for (Path f : files) {
            try {
                ShardOutput.read(f).importInto(store);
                n++;
            } catch (IllegalArgumentException e) {
                progress.log("slurm: " + e.getMessage());
            }
        }
        return n;
    }
}
