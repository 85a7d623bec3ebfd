package dev.llmcw.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.results.CompressionRecord;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunRecord;
import dev.llmcw.results.RunStatus;
import dev.llmcw.suite.SuiteReport;
import dev.llmcw.suite.SuiteRunner;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.suite.WorkbenchSuiteActions;
import dev.llmcw.testing.SlurmAvailable;
import dev.llmcw.testing.SlurmCluster;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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
 * The Slurm executor against real daemons (tools/slurm-local; CI starts them): a stories260K suite (RTN 4-bit,
 * SeedLM 4-bit, GPTQ 4-bit, CALDERA rank 8, each compressed in two shards of whole layers, GPTQ's and CALDERA's
 * after one shared calibration job;
 * PIQA first 40 items, WikiText first 3 documents) run locally and on Slurm stores exactly the same numbers and
 * byte-identical compressed files, also when one running array task is cancelled with {@code scancel} (it is resubmitted alone),
 * and merging again changes nothing. Skipped with a message when no Slurm is reachable, unless
 * {@code WORKBENCH_REQUIRE_SLURM} is set (CI), where that is a failure.
 */
@SlurmCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlurmExecutorTest {
    private static final String CALIB = "datasets/tinystories/tinystories_val_subset.txt";
    private static final String GPTQ =
            "- {method: gptq, params: {bits: 4, group: 64, calib: '%s', calib_seqs: 4, calib_len: 64}}";
    private static final String CALDERA =
            "- {method: caldera, params: {rank: 8, calib: '%s', calib_seqs: 4, calib_len: 64}}";
    private Path dir, data;
    /** PIQA's first 40 items (2 shards), then WikiText's first 3 documents (reusing the compressions). */
    private List<SuiteSpec> suites;

    private int runCount() {
        return suites.stream().mapToInt(SuiteSpec::runCount).sum();
    }

    private ResultsStore local, slurm;
    private final List<SuiteReport> slurmReports = new ArrayList<>();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private String cancelledTask;

    @BeforeAll
    void runLocallyAndOnSlurm() throws Exception {
        requireSlurm();
        Path model = TestData.stories260K();
        data = TestData.require("datasets");
        dir = Files.createTempDirectory("slurm-executor-test");
        // GPTQ only in the first suite (its sharded compression once, fewer jobs for the CI's budget); CALDERA in both:
        // the second suite reuses its stored compression
        suites = List.of(suite(model, "piqa", 40, true), suite(model, "wikitext", 3, false));
        ModelHashes hashes = new ModelHashes(dir.resolve("hashes.json"));
        local = ResultsStore.open(dir.resolve("local.db"));
        for (SuiteSpec suite : suites)
            new SuiteRunner(
                            local,
                            WorkbenchSuiteActions.standard(data, dir),
                            hashes,
                            ProgressListener.NONE,
                            CancellationToken.none())
                    .run(suite, dir, dir.resolve("work-local"));

        slurm = ResultsStore.open(dir.resolve("slurm.db"));
        ProgressListener capture = (s, d, t, m) -> {
            if (d < 0 && t < 0) log.add(s);
        };
        var executor =
                new SlurmSuiteExecutor(slurm, hashes, Slurm.system(), capture, CancellationToken.none()).pollEvery(300);
        var run =
                CompletableFuture.supplyAsync(() -> executor.run(suites.get(0), dir, dir.resolve("work-slurm"), data));
        cancelledTask = cancelOneRunningEvaluationTask(run);
        slurmReports.add(run.get(15, TimeUnit.MINUTES));
        slurmReports.add(executor.run(suites.get(1), dir, dir.resolve("work-slurm"), data));
    }

    private SuiteSpec suite(Path model, String task, int limit, boolean gptq) throws IOException {
        Path file = dir.resolve(task + ".yaml");
        Files.writeString(file, """
                name: slurm-%s
                models:
                  - path: %s
                    label: stories260K
                methods:
                  - method: rtn
                    params: {bits: 4, group: 64}
                  - method: seedlm
                    params: {C: 8, P: 3, K: 16}
                  %s
                  %s
                tasks: [%s]
                options:
                  limit: %d
                executor:
                  type: slurm
                  shardItems: 20
                  retries: 2
                  compressShards: 2
                """.formatted(
                        task,
                        model,
                        gptq ? GPTQ.formatted(TestData.require(CALIB)) : "",
                        CALDERA.formatted(TestData.require(CALIB)),
                        task,
                        limit));
        return SuiteSpec.read(file);
    }

    @AfterAll
    void close() throws IOException {
        if (local != null) local.close();
        if (slurm != null) slurm.close();
        if (dir != null)
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
    }

    @Test
    void slurmStoresExactlyTheNumbersOfTheLocalExecutor() {
        assertThat(slurmReports).allSatisfy(r -> assertThat(r.failures()).isEmpty());
        assertThat(slurmReports.get(1).compressionsReused())
                .isEqualTo(3); // RTN, SeedLM and CALDERA, compressed by suite 1
        Map<String, List<RunRecord.Metric>> localMetrics = metrics(local), slurmMetrics = metrics(slurm);
        assertThat(localMetrics).hasSize(runCount());
        assertThat(slurmMetrics).isEqualTo(localMetrics);
        for (RunRecord r : slurm.listRuns(RunFilter.all()))
            assertThat(slurm.itemsFor(r.id())).hasSize(r.items());
        assertThat(compressions(slurm)).isEqualTo(compressions(local));
    }

    @Test
    void compressionsRanInTwoShardsEachAfterOneCalibrationPass() throws IOException {
        Path ws = SlurmSuiteExecutor.workspace(dir.resolve("work-slurm"));
        // RTN, SeedLM, GPTQ and CALDERA rank 8 in two shards of whole layers each (suite 1), GPTQ's and
        // CALDERA's after one calibration pass they share (same model and calibration text: one Hessian key)
        try (var outputs = Files.list(ws.resolve("parts"))) {
            assertThat(outputs.filter(f -> f.getFileName().toString().endsWith(".json")))
                    .hasSize(8);
        }
        try (var dirs = Files.list(ws.resolve("hessians"))) {
            assertThat(dirs.toList())
                    .singleElement()
                    .satisfies(h -> assertThat(h.resolve("complete")).isRegularFile());
        }
        assertThat(log).filteredOn(l -> l.contains("calibrate stories260K")).isNotEmpty();
        try (var scripts = Files.list(ws.resolve("jobs"))) {
            assertThat(scripts.toList())
                    .isNotEmpty()
                    .allSatisfy(f -> assertThat(Files.readString(f)).contains("#SBATCH --requeue\n"));
        }
    }

    @Test
    void aCancelledArrayTaskIsResubmittedAloneAndTheNumbersStayTheSame() {
        assertThat(cancelledTask)
                .as("a running evaluation task was found and cancelled")
                .isNotNull();
        assertThat(log).anyMatch(l -> l.contains("was " + cancelledTask) && l.contains("resubmitted as"));
        assertThat(metrics(slurm)).isEqualTo(metrics(local));
    }

    @Test
    void mergingAgainLeavesOneCopyOfEachResult() {
        var executor = new SlurmSuiteExecutor(
                slurm,
                new ModelHashes(dir.resolve("hashes.json")),
                Slurm.system(),
                ProgressListener.NONE,
                CancellationToken.none());
        int runs = slurm.listRuns(RunFilter.all()).size();
        var before = metrics(slurm);
        List<Integer> items = itemCounts(slurm);
        for (int i = 0; i < 2; i++)
            for (SuiteSpec suite : suites) {
                SuiteReport again = executor.merge(suite, dir, dir.resolve("work-slurm"), data);
                assertThat(again.evaluated()).isZero();
                assertThat(again.runsReused()).isEqualTo(suite.runCount());
            }
        assertThat(slurm.listRuns(RunFilter.all())).hasSize(runs).hasSize(runCount());
        assertThat(metrics(slurm)).isEqualTo(before);
        assertThat(itemCounts(slurm)).isEqualTo(items);
        assertThat(slurm.compressions(null)).hasSize(suites.get(0).settings().size());
    }

    /**
     * Waits until an evaluation array task has been running for 3 s (its JVM is up and scoring), cancels it, and
     * returns its id ("123_1"); null if none ran that long.
     */
    private static String cancelOneRunningEvaluationTask(CompletableFuture<?> run) throws Exception {
        Map<String, Long> runningSince = new TreeMap<>();
        while (!run.isDone()) {
            for (String line : command("squeue", "-h", "-r", "-o", "%i|%T|%j").split("\n")) {
                String[] f = line.split("\\|");
                if (f.length != 3 || !f[1].equals("RUNNING") || !f[2].startsWith("wb-e")) continue;
                long since = runningSince.computeIfAbsent(f[0], k -> System.nanoTime());
                if (System.nanoTime() - since >= 3_000_000_000L) {
                    command("scancel", f[0]);
                    return f[0];
                }
            }
            Thread.sleep(100);
        }
        return null;
    }

    /** (method params task) → metrics (value and stderr) of every run, all of them finished. */
    private static Map<String, List<RunRecord.Metric>> metrics(ResultsStore store) {
        Map<String, List<RunRecord.Metric>> out = new TreeMap<>();
        for (RunRecord r : store.listRuns(RunFilter.all())) {
            assertThat(r.status()).isEqualTo(RunStatus.DONE);
            assertThat(r.metrics()).isNotEmpty();
            out.put(r.method() + " " + r.methodParams() + " " + r.task(), r.metrics());
        }
        return out;
    }

    private static List<Integer> itemCounts(ResultsStore store) {
        return store.listRuns(RunFilter.all()).stream()
                .map(r -> store.itemsFor(r.id()).size())
                .toList();
    }

    private static Map<String, String> compressions(ResultsStore store) {
        Map<String, String> out = new TreeMap<>();
        for (CompressionRecord c : store.compressions(null))
            out.put(c.method() + " " + c.params(), c.fileHash() + " " + c.bitsPerWeight());
        return out;
    }

    private static void requireSlurm() throws IOException, InterruptedException {
        SlurmAvailable.require();
    }

    private static String command(String... cmd) throws IOException, InterruptedException {
        return SlurmAvailable.command(cmd);
    }
}
