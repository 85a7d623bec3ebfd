package dev.llmcw.ui.suites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import dev.llmcw.TestData;
import dev.llmcw.app.DefaultSuiteService;
import dev.llmcw.app.ExecutorSettings;
import dev.llmcw.cluster.InProcessSlurm;
import dev.llmcw.cluster.ShardState;
import dev.llmcw.cluster.ShardStatus;
import dev.llmcw.cluster.Slurm;
import dev.llmcw.cluster.WorkUnit;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunRecord;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.testing.Slow;
import dev.llmcw.ui.jobs.JobState;
import dev.llmcw.ui.jobs.JobViewModel;
import dev.llmcw.ui.jobs.JobsViewModel;
import dev.llmcw.ui.task.SynchronousTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javafx.collections.ListChangeListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Suites view model with the executor set to Slurm, against {@link InProcessSlurm} (a queue that runs each
 * array task's unit in this process): the job's shards appear, run and finish as the executor tracks them, a
 * shard that ends without output shows as resubmitted, a failed one can be resubmitted by hand, and the stored
 * numbers are those of the same suite run locally. Everything inline through the synchronous executor.
 */
class SlurmSuiteJobTest {
    @TempDir
    Path dir;

    private final List<String> errors = new ArrayList<>();
    private final JobsViewModel jobs = new JobsViewModel(new SynchronousTaskExecutor());
    private final List<ResultsStore> stores = new ArrayList<>();
    /** Every state each shard was seen in by the job (unit id → states in order, repeats collapsed). */
    private final Map<String, List<ShardState>> seen = new LinkedHashMap<>();

    private final Map<String, ShardStatus> last = new LinkedHashMap<>();

    @AfterEach
    void close() {
        stores.forEach(ResultsStore::close);
    }

    private ResultsStore store(String name) {
        ResultsStore s = ResultsStore.open(dir.resolve(name));
        stores.add(s);
        return s;
    }

    private Path suiteFile() throws Exception {
        Path file = dir.resolve("tiny.yaml");
        Files.writeString(file, """
                name: tiny
                workDir: work
                models:
                  - path: %s
                    label: s260
                methods:
                  - method: rtn
                    params: {bits: 4, group: 64}
                tasks: [piqa]
                options: {limit: 20}
                executor:
                  shardItems: 10
                """.formatted(TestData.stories260K().toAbsolutePath()));
        return file;
    }

    private SuitesViewModel vm(DefaultSuiteService service, ExecutorSettings settings) {
        return new SuitesViewModel(service, jobs, (t, m) -> errors.add(t + ": " + m), () -> {}, settings);
    }

    /** Records the states of the shards of every job added from now on, as the UI thread receives them. */
    private void recordShards() {
        jobs.jobs().addListener((ListChangeListener<JobViewModel>) c -> {
            while (c.next())
                for (JobViewModel j : c.getAddedSubList())
                    j.shards().addListener((ListChangeListener<ShardStatus>) s -> {
                        for (ShardStatus st : j.shards()) {
                            List<ShardState> states = seen.computeIfAbsent(st.unitId(), k -> new ArrayList<>());
                            if (states.isEmpty() || states.getLast() != st.state()) states.add(st.state());
                            last.put(st.unitId(), st);
                        }
                    });
        });
    }

    @Slow
    @Test
    void shardsAppearRunAndFinishAndTheNumbersAreTheLocalOnes() throws Exception {
        Path data = TestData.require("datasets");
        Path file = suiteFile();
        var local = store("local.db");
        var localVm = vm(new DefaultSuiteService(local, data), ExecutorSettings.inMemory());
        localVm.open(file);
        assertThat(localVm.run().orElseThrow().state()).isEqualTo(JobState.DONE);

        var queue = new InProcessSlurm();
        var slurmStore = store("slurm.db");
        var service = new DefaultSuiteService(slurmStore, data, new Slurm(queue), () -> true, 1);
        var vm = vm(service, ExecutorSettings.inWorkspace(dir.resolve("ws")));
        vm.open(file);
        vm.executor().retriesProperty().set("1");
        vm.executor().slurmProperty().set(true);
        assertThat(vm.executorLineProperty().get()).isEqualTo("Runs on Slurm: 10 items per shard, 1 retry.");
        // the second PIQA shard's first run ends without output, as a killed array task does
        queue.failFirstAttempt = u -> u.kind() == WorkUnit.Kind.EVAL && u.from() == 10;
        recordShards();
        JobViewModel job = vm.run().orElseThrow();

        assertThat(job.state()).as("log: %s", job.log()).isEqualTo(JobState.DONE);
        assertThat(errors).isEmpty();
        assertThat(job.sharded()).isTrue();
        assertThat(job.titleProperty().get()).isEqualTo("Suite tiny (1 runs, Slurm)");
        // one compression, two evaluation shards of 10 items (the last one open-ended)
        assertThat(last.values())
                .extracting(ShardStatus::kindName, ShardStatus::items, ShardStatus::state)
                .containsExactly(
                        tuple("compress", "", ShardState.DONE),
                        tuple("evaluate", "0–10", ShardState.DONE),
                        tuple("evaluate", "10–end", ShardState.DONE));
        List<ShardStatus> shards = List.copyOf(last.values());
        assertThat(seen.get(shards.get(0).unitId()))
                .containsExactly(ShardState.PENDING, ShardState.RUNNING, ShardState.DONE);
        assertThat(seen.get(shards.get(1).unitId()))
                .containsExactly(ShardState.PENDING, ShardState.RUNNING, ShardState.DONE);
        assertThat(seen.get(shards.get(2).unitId()))
                .containsExactly(
                        ShardState.PENDING,
                        ShardState.RUNNING,
                        ShardState.RESUBMITTED,
                        ShardState.RUNNING,
                        ShardState.DONE);
        assertThat(shards.get(2).attempts()).isEqualTo(2);
        assertThat(shards.get(1).attempts()).isEqualTo(1);
        assertThat(shards).allSatisfy(s -> assertThat(s.slurmTask()).matches("\\d+_\\d+"));
        assertThat(job.log()).anyMatch(l -> l.contains("resubmitted as"));
        // progress covered the whole sweep: the tracker's stage counted 3 units
        assertThat(metrics(slurmStore)).isEqualTo(metrics(local)).isNotEmpty();
        // the setting was kept in the workspace, as the GUI will find it next time
        assertThat(ExecutorSettings.inWorkspace(dir.resolve("ws")).get())
                .satisfies(e -> assertThat(e.isSlurm()).isTrue())
                .satisfies(e -> assertThat(e.retries()).isEqualTo(1));
    }

    @Slow
    @Test
    void aFailedShardCanBeResubmittedAloneWhileTheJobRuns() throws Exception {
        Path data = TestData.require("datasets");
        var queue = new InProcessSlurm();
        var service = new DefaultSuiteService(store("slurm.db"), data, new Slurm(queue), () -> true, 1);
        var vm = vm(service, ExecutorSettings.inMemory());
        vm.open(suiteFile());
        vm.executor().slurmProperty().set(true);
        vm.executor().retriesProperty().set("0");
        queue.failFirstAttempt = u -> u.kind() == WorkUnit.Kind.EVAL && u.from() == 0;
        recordShards();
        // the user presses Resubmit as soon as the shard shows as failed
        jobs.jobs().addListener((ListChangeListener<JobViewModel>) c -> {
            while (c.next())
                for (JobViewModel j : c.getAddedSubList())
                    j.shards().addListener((ListChangeListener<ShardStatus>) s -> j.shards().stream()
                            .filter(x -> x.state() == ShardState.FAILED)
                            .forEach(j::resubmit));
        });
        JobViewModel job = vm.run().orElseThrow();
        assertThat(job.state()).as("log: %s", job.log()).isEqualTo(JobState.DONE);
        ShardStatus first = last.values().stream()
                .filter(s -> s.items().equals("0–10"))
                .findFirst()
                .orElseThrow();
        assertThat(seen.get(first.unitId()))
                .containsSubsequence(ShardState.FAILED, ShardState.RESUBMITTED, ShardState.DONE);
        assertThat(first.attempts()).isEqualTo(2);
        assertThat(job.log()).anyMatch(l -> l.startsWith("resubmit requested: s260 · piqa 0–10"));
        assertThat(vm.lastReportProperty().get()).contains("0 failure(s)");
    }

    @Test
    void cancellingTheJobCancelsItsSlurmTasks() throws Exception {
        Path data = TestData.require("datasets");
        var queue = new InProcessSlurm();
        var service = new DefaultSuiteService(store("slurm.db"), data, new Slurm(queue), () -> true, 1);
        var vm = vm(service, ExecutorSettings.inMemory());
        vm.open(suiteFile());
        vm.executor().slurmProperty().set(true);
        // the user presses Cancel once the compression runs
        jobs.jobs().addListener((ListChangeListener<JobViewModel>) c -> {
            while (c.next())
                for (JobViewModel j : c.getAddedSubList())
                    j.shards().addListener((ListChangeListener<ShardStatus>) s -> {
                        if (j.shards().stream().anyMatch(x -> x.state() == ShardState.RUNNING)) j.cancel();
                    });
        });
        JobViewModel job = vm.run().orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        // every task not done: the running compression and both evaluation shards waiting for it
        assertThat(queue.calls())
                .filteredOn(cmd -> cmd.getFirst().equals("scancel"))
                .singleElement()
                .satisfies(cmd -> assertThat(cmd.subList(1, cmd.size())).hasSize(3));
        assertThat(job.log()).anyMatch(l -> l.equals("cancelled 3 Slurm task(s)"));
    }

    @Test
    void slurmChosenWithoutItsCommandsSaysSoInOneSentenceAndQueuesNothing() throws Exception {
        var service = new DefaultSuiteService(null, dir, new Slurm(new InProcessSlurm()), () -> false, 1);
        var vm = vm(service, ExecutorSettings.inMemory());
        vm.open(suiteFile());
        vm.executor().slurmProperty().set(true);
        assertThat(vm.run()).isEmpty();
        assertThat(jobs.jobs()).isEmpty();
        assertThat(errors)
                .containsExactly("Slurm is not available: The Slurm executor needs sbatch and squeue on PATH (a Slurm"
                        + " login node, or tools/slurm-local start); choose Local to run here.");
    }

    @Test
    void aBadSlurmOptionIsNamedAndQueuesNothing() throws Exception {
        var service = new DefaultSuiteService(null, dir, new Slurm(new InProcessSlurm()), () -> true, 1);
        var vm = vm(service, ExecutorSettings.inMemory());
        vm.open(suiteFile());
        vm.executor().slurmProperty().set(true);
        vm.executor().cpusProperty().set("four");
        assertThat(vm.run()).isEmpty();
        vm.executor().cpusProperty().set("");
        vm.executor().sbatchProperty().set("--qos=normal constraint=avx");
        assertThat(vm.run()).isEmpty();
        assertThat(jobs.jobs()).isEmpty();
        assertThat(errors)
                .containsExactly(
                        "Executor setting is not valid: CPUs per task must be a whole number, not \"four\"",
                        "Executor setting is not valid: Extra sbatch flags must each start with '-' (e.g."
                                + " --qos=normal), not \"constraint=avx\"");
    }

    @Test
    void theGuiChoosesTheExecutorAndItsSetOptionsReplaceTheFilesBlankOnesKeepThem() throws Exception {
        Path file = dir.resolve("s.yaml");
        Files.writeString(file, """
                name: s
                models: [{path: m.bin}]
                methods: [{method: none}]
                tasks: [piqa]
                executor: {type: slurm, partition: gpu, time: "01:00:00", shardItems: 50}
                """);
        var settings = ExecutorSettings.inWorkspace(dir.resolve("ws"));
        var vm = vm(new DefaultSuiteService(null, dir), settings);
        vm.open(file);
        assertThat(vm.executorLineProperty().get())
                .isEqualTo("Runs here (local executor). The suite file says slurm; the choice here wins.");
        vm.executor().partitionProperty().set("cpu");
        vm.executor().slurmProperty().set(true);
        assertThat(vm.executorLineProperty().get())
                .isEqualTo("Runs on Slurm: partition cpu, time 01:00:00, 50 items per shard, 2 retries.");
        SuiteSpec.Executor e = vm.executor().applyTo(SuiteSpec.read(file)).executorOrLocal();
        assertThat(e.partition()).isEqualTo("cpu");
        assertThat(e.time()).isEqualTo("01:00:00");
        assertThat(e.shardItems()).isEqualTo(50);
        vm.executor().compressShardsProperty().set("4");
        assertThat(ExecutorViewModel.describe(vm.executor().read()))
                .isEqualTo("Runs on Slurm: partition cpu, 500 items per shard, 2 retries, 4 jobs per compression.");
        assertThat(vm.executor().applyTo(SuiteSpec.read(file)).executorOrLocal().compressShardsOrDefault())
                .isEqualTo(4);
        // the choice is kept in the workspace when it changes, and read back by the next session
        var next = new ExecutorViewModel(ExecutorSettings.inWorkspace(dir.resolve("ws")));
        assertThat(next.slurmProperty().get()).isTrue();
        assertThat(next.partitionProperty().get()).isEqualTo("cpu");
    }

    @Test
    void anUnreadableSettingFileIsNamed() throws Exception {
        Files.createDirectories(dir.resolve("ws"));
        Files.writeString(dir.resolve("ws/executor.json"), "{\"type\": \"pbs\"}");
        assertThat(catchThrowable(() -> ExecutorSettings.inWorkspace(dir.resolve("ws"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(dir.resolve("ws/executor.json") + ": not an executor setting")
                .hasMessageContaining("\"pbs\"");
    }

    /** (method params task) → metric values and stderrs of every run. */
    private static Map<String, List<RunRecord.Metric>> metrics(ResultsStore store) {
        Map<String, List<RunRecord.Metric>> out = new TreeMap<>();
        for (RunRecord r : store.listRuns(RunFilter.all()))
            out.put(r.method() + " " + r.methodParams() + " " + r.task(), r.metrics());
        return out;
    }
}
