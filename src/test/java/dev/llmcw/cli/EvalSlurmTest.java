package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.TestData;
import dev.llmcw.cluster.Slurm;
import dev.llmcw.cluster.SlurmEvalExecutor;
import dev.llmcw.cluster.WorkbenchLauncher;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunRecord;
import dev.llmcw.results.RunStatus;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.testing.SlurmAvailable;
import dev.llmcw.testing.SlurmCluster;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Json;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code eval --executor slurm} against real daemons (tools/slurm-local; CI starts them): stories260K on PIQA's
 * first 40 items (two shards of 20; one running shard is cancelled with {@code scancel} and must be resubmitted
 * alone) and WikiText-2's first 3 documents (two shards) stores exactly the runs of {@code --executor local}:
 * metrics, standard errors, item counts, the results.json tables; importing the shards and running the
 * evaluation again leaves one copy of everything; Ctrl-C (SIGINT) on a running {@code eval} leaves none of its
 * jobs in the queue. Skipped without Slurm unless {@code WORKBENCH_REQUIRE_SLURM}.
 */
@SlurmCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EvalSlurmTest {
    private Path dir, model, data;
    private String cancelledTask;
    private final List<Integer> exitCodes = new ArrayList<>();

    @BeforeAll
    void evaluateLocallyAndOnSlurm() throws Exception {
        SlurmAvailable.require();
        model = TestData.stories260K();
        data = TestData.require("datasets");
        dir = Files.createTempDirectory("eval-slurm-test");
        exitCodes.add(eval("local", "piqa", 40, 20));
        exitCodes.add(eval("local", "wikitext", 3, 2));
        var piqa = CompletableFuture.supplyAsync(() -> eval("slurm", "piqa", 40, 20));
        cancelledTask = cancelOneRunningEvaluationTask(piqa);
        exitCodes.add(piqa.get(10, TimeUnit.MINUTES));
        exitCodes.add(eval("slurm", "wikitext", 3, 2));
    }

    /** One {@code eval} of {@code task}'s first {@code limit} items into {@code <executor>.db}; its exit code. */
    private int eval(String executor, String task, int limit, int shardItems) {
        return Cli.execute(
                "eval",
                "--model",
                model.toString(),
                "--tasks",
                task,
                "--data",
                data.toString(),
                "--limit",
                Integer.toString(limit),
                "--no-deployment",
                "--db",
                db(executor).toString(),
                "--out",
                out(executor, task).toString(),
                "--executor",
                executor,
                "--slurm-shard-items",
                Integer.toString(shardItems));
    }

    private Path db(String executor) {
        return dir.resolve(executor + ".db");
    }

    private Path out(String executor, String task) {
        return dir.resolve(executor + "-" + task);
    }

    @AfterAll
    void deleteFiles() throws IOException {
        if (dir != null)
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
    }

    @Test
    void slurmStoresExactlyTheRunsOfTheLocalExecutor() throws IOException {
        assertThat(exitCodes).containsOnly(0);
        Map<String, String> local = runs("local"), slurm = runs("slurm");
        assertThat(local).hasSize(2);
        assertThat(slurm).isEqualTo(local);
        for (String task : List.of("piqa", "wikitext"))
            assertThat(results("slurm", task)).isEqualTo(results("local", task));
        // the jobs scored the items: two shards per task, each a file of the workspace
        try (var shards = Files.list(out("slurm", "piqa").resolve("slurm/shards"))) {
            assertThat(shards.filter(p -> p.toString().endsWith(".json"))).hasSize(2);
        }
    }

    @Test
    void aCancelledShardIsResubmittedAlone() throws IOException {
        assertThat(cancelledTask)
                .as("a running evaluation task was found and cancelled")
                .isNotNull();
        // one log per Slurm task: two shards plus the resubmission of the cancelled one
        try (var logs = Files.list(out("slurm", "piqa").resolve("slurm/logs"))) {
            assertThat(logs.filter(p -> p.toString().endsWith(".out"))).hasSize(3);
        }
        assertThat(runs("slurm")).isEqualTo(runs("local"));
    }

    @Test
    void mergingAgainLeavesOneCopyOfEachResult() throws IOException {
        Map<String, String> before = runs("slurm");
        try (ResultsStore store = ResultsStore.open(db("slurm"))) {
            for (RunRecord r : store.listRuns(RunFilter.all())) {
                // the same request again: every shard output exists, so nothing is submitted, all is imported again
                var request = new SlurmEvalExecutor.Request(
                        Path.of(r.spec().modelPath()),
                        r.modelLabel(),
                        r.spec().options(),
                        Map.of(r.task(), (long) r.items()),
                        data,
                        out("slurm", r.task()).resolve("slurm"));
                var settings = slurmWithShards(r.task().equals("piqa") ? 20 : 2);
                var sharded = new SlurmEvalExecutor(
                                Slurm.system(), settings, ProgressListener.NONE, CancellationToken.none())
                        .run(request, store);
                assertThat(sharded.shardCount()).isEqualTo(2);
            }
        }
        assertThat(runs("slurm")).isEqualTo(before);
        assertThat(eval("slurm", "piqa", 40, 20)).isZero();
        assertThat(eval("slurm", "wikitext", 3, 2)).isZero();
        assertThat(runs("slurm")).isEqualTo(before);
    }

    @Test
    void ctrlCCancelsTheJobs() throws Exception {
        Path out = dir.resolve("interrupted");
        List<String> cmd = new ArrayList<>(WorkbenchLauncher.command(null));
        cmd.addAll(List.of(
                "eval",
                "--model",
                model.toString(),
                "--tasks",
                "piqa",
                "--data",
                data.toString(),
                "--limit",
                "40",
                "--no-deployment",
                "--db",
                dir.resolve("interrupted.db").toString(),
                "--out",
                out.toString(),
                "--executor",
                "slurm",
                "--slurm-shard-items",
                "20"));
        Path log = dir.resolve("interrupted.log");
        Process eval = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            assertThat(waitFor(() -> queued(out) == 2, 180))
                    .as("its two shards queued; log: %s", Files.readString(log))
                    .isTrue();
            SlurmAvailable.command("kill", "-INT", Long.toString(eval.pid()));
            assertThat(eval.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(log)).contains("cancelled 2 Slurm task(s)");
            // scancel is asynchronous: a running task lingers while it completes (KillWait)
            assertThat(waitFor(() -> queued(out) == 0, 30)).isTrue();
        } finally {
            eval.destroyForcibly();
        }
    }

    /** Array tasks in the queue whose script lies under {@code folder} (this test's, not another run's). */
    private static long queued(Path folder) throws IOException, InterruptedException {
        return SlurmAvailable.command("squeue", "-h", "-r", "-o", "%i|%o")
                .lines()
                .filter(l -> l.contains("|" + folder))
                .count();
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static boolean waitFor(Check check, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (check.ok()) return true;
            Thread.sleep(200);
        }
        return check.ok();
    }

    private static SuiteSpec.Executor slurmWithShards(int shardItems) {
        return new SuiteSpec.Executor(
                SuiteSpec.Executor.SLURM,
                null,
                null,
                null,
                null,
                null,
                List.of(),
                null,
                shardItems,
                null,
                null,
                null,
                null);
    }

    /** task → status, item count, stored items and metrics (values and stderr) of every run in the database. */
    private Map<String, String> runs(String executor) {
        Map<String, String> out = new TreeMap<>();
        try (ResultsStore store = ResultsStore.open(db(executor))) {
            for (RunRecord r : store.listRuns(RunFilter.all())) {
                assertThat(r.status()).isEqualTo(RunStatus.DONE);
                assertThat(r.metrics()).isNotEmpty();
                out.put(
                        r.task() + " " + r.method() + " " + r.modelLabel(),
                        r.items() + " items, " + store.itemsFor(r.id()).size() + " stored, " + r.metrics());
            }
        }
        return out;
    }

    /** The "results" table of the eval's results.json (metrics and stderr as lm-eval writes them). */
    private JsonNode results(String executor, String task) throws IOException {
        return Json.MAPPER
                .readTree(Files.readString(out(executor, task).resolve("results.json")))
                .get("results");
    }

    /**
     * Waits until an evaluation array task of this test (its script is under the test's folder: another run's
     * jobs on the same daemons are left alone) has run for 3 s, cancels it and returns its id; null if none did.
     */
    private String cancelOneRunningEvaluationTask(CompletableFuture<?> run) throws Exception {
        Map<String, Long> runningSince = new TreeMap<>();
        while (!run.isDone()) {
            for (String line : SlurmAvailable.command("squeue", "-h", "-r", "-o", "%i|%T|%o")
                    .split("\n")) {
                String[] f = line.split("\\|");
                if (f.length != 3 || !f[1].equals("RUNNING") || !f[2].startsWith(dir.toString())) continue;
                long since = runningSince.computeIfAbsent(f[0], k -> System.nanoTime());
                if (System.nanoTime() - since >= 3_000_000_000L) {
                    SlurmAvailable.command("scancel", f[0]);
                    return f[0];
                }
            }
            Thread.sleep(100);
        }
        return null;
    }
}
