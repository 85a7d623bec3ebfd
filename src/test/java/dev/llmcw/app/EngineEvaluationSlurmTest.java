package dev.llmcw.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.llmcw.TestData;
import dev.llmcw.cluster.InProcessSlurm;
import dev.llmcw.cluster.ShardState;
import dev.llmcw.cluster.ShardWatch;
import dev.llmcw.cluster.Slurm;
import dev.llmcw.cluster.WorkUnit;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunRecord;
import dev.llmcw.results.RunStatus;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GUI's evaluation service on the Slurm executor, with {@link InProcessSlurm} running the shards' units in
 * this process (no daemons): PIQA's first 12 items in shards of 5, one of which fails its first attempt and is
 * resubmitted, store exactly the runs of the Local executor (metrics, stderr, item counts); evaluating again
 * reuses them and stores nothing twice.
 */
class EngineEvaluationSlurmTest {
    @TempDir
    Path dir;

    private static SuiteSpec.Executor slurm(int shardItems) {
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
                2,
                null,
                null,
                null);
    }

    @Test
    void slurmStoresExactlyTheRunsOfTheLocalExecutor() throws Exception {
        Model model = ModelLoader.load(TestData.stories260K());
        ModelHandle handle = ModelService.handle(model, model.source());
        Path data = TestData.require("datasets");
        var request = new EvaluationService.Request(
                "stories260K", handle, null, List.of("piqa", "arc_easy"), 12, 0, 1234, false, null, Map.of());
        try (ResultsStore local = ResultsStore.open(dir.resolve("local.db"));
                ResultsStore onSlurm = ResultsStore.open(dir.resolve("slurm.db"))) {
            new EngineEvaluationService(local, data).evaluate(request, ProgressListener.NONE, CancellationToken.none());

            var queue = new InProcessSlurm();
            List<WorkUnit> failed = new ArrayList<>();
            queue.failFirstAttempt = u -> {
                boolean first = failed.isEmpty() && u.task().equals("piqa") && u.from() == 5;
                if (first) failed.add(u);
                return first;
            };
            var service = new EngineEvaluationService(onSlurm, data)
                    .slurm(new Slurm(queue), () -> true, dir.resolve("eval-slurm"), 10);
            var shards = new ShardWatch();
            service.evaluate(request, slurm(5), shards, ProgressListener.NONE, CancellationToken.none());

            assertThat(failed).as("a shard failed once").hasSize(1);
            assertThat(shards.shards())
                    .hasSize(6) // 3 shards per task
                    .allSatisfy(s -> assertThat(s.state()).isEqualTo(ShardState.DONE))
                    .anySatisfy(s -> assertThat(s.attempts()).isEqualTo(2));
            assertThat(runs(onSlurm)).hasSize(2).isEqualTo(runs(local));

            // again: the finished runs are reused, nothing is submitted or stored twice
            int calls = queue.calls().size();
            service.evaluate(request, slurm(5), new ShardWatch(), ProgressListener.NONE, CancellationToken.none());
            assertThat(queue.calls()).hasSize(calls);
            assertThat(runs(onSlurm)).isEqualTo(runs(local));
        }
    }

    @Test
    void fidelityRunsAgainstABaseModelMergeToTheLocalNumbersToo() throws Exception {
        Model model = ModelLoader.load(TestData.stories260K());
        ModelHandle handle = ModelService.handle(model, model.source());
        Path data = TestData.require("datasets");
        // the model as its own base: the shards must carry the base's items (its own run key) as well
        var request = new EvaluationService.Request(
                "stories260K", handle, handle, List.of("piqa"), 6, 0, 1234, true, null, Map.of());
        try (ResultsStore local = ResultsStore.open(dir.resolve("local.db"));
                ResultsStore onSlurm = ResultsStore.open(dir.resolve("slurm.db"))) {
            new EngineEvaluationService(local, data).evaluate(request, ProgressListener.NONE, CancellationToken.none());
            new EngineEvaluationService(onSlurm, data)
                    .slurm(new Slurm(new InProcessSlurm()), () -> true, dir.resolve("eval-slurm"), 10)
                    .evaluate(request, slurm(3), null, ProgressListener.NONE, CancellationToken.none());
            assertThat(runs(onSlurm)).hasSize(1).isEqualTo(runs(local));
            assertThat(runs(local).get("piqa")).contains("kl");
        }
    }

    @Test
    void slurmIsRefusedInOneSentenceWhereItCannotRun() {
        var inMemory = new EngineEvaluationService(null, dir);
        assertThat(inMemory.executorProblem(SuiteSpec.Executor.local())).isNull();
        assertThat(inMemory.executorProblem(slurm(5)))
                .isEqualTo("The Slurm executor stores the shards' items in the results database, and this session"
                        + " keeps results in memory; choose Local.");
        try (ResultsStore store = ResultsStore.open(dir.resolve("r.db"))) {
            var noSlurm = new EngineEvaluationService(store, dir).slurm(null, () -> false, dir, 10);
            assertThat(noSlurm.executorProblem(slurm(5))).startsWith("The Slurm executor needs sbatch and squeue");
            assertThat(catchThrowable(() ->
                            noSlurm.evaluate(null, slurm(5), null, ProgressListener.NONE, CancellationToken.none())))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("The Slurm executor needs sbatch and squeue");
        }
    }

    /** task → item count, stored items, status and metrics (values and stderr) of every run. */
    private static Map<String, String> runs(ResultsStore store) {
        Map<String, String> out = new TreeMap<>();
        for (RunRecord r : store.listRuns(RunFilter.all())) {
            assertThat(r.status()).isEqualTo(RunStatus.DONE);
            out.put(r.task(), r.items() + " items, " + store.itemsFor(r.id()).size() + " stored, " + r.metrics());
        }
        return out;
    }
}
