package dev.llmcw.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import dev.llmcw.TestData;
import dev.llmcw.eval.ItemStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SlurmEvalExecutor} without daemons ({@link InProcessSlurm}): how a task is cut into shards, that a
 * cancel scancels every task, and that a shard given up after its retries is left out of the import and named
 * when its task's items are asked for.
 */
class SlurmEvalExecutorTest {
    @TempDir
    Path dir;

    private static final RunSpec.Options FIRST_12 =
            new RunSpec.Options(12, null, 1234L, null, null, null, null, "dense", Map.of());

    private static SuiteSpec.Executor slurm(int shardItems, int retries) {
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
                retries,
                null,
                null,
                null);
    }

    private SlurmEvalExecutor.Request request(String task, long items) {
        return new SlurmEvalExecutor.Request(
                TestData.stories260K(),
                "stories260K",
                FIRST_12,
                Map.of(task, items),
                TestData.require("datasets"),
                dir.resolve("ws"));
    }

    @Test
    void aTaskIsCutIntoConsecutiveShardsTheLastOneOpenEnded() {
        var units = WorkUnit.evalShards("/m.bin", "m", "piqa", FIRST_12, 12, 5, dir.resolve("shards"));
        assertThat(units)
                .extracting(WorkUnit::from, WorkUnit::to)
                .containsExactly(tuple(0, 5), tuple(5, 10), tuple(10, Integer.MAX_VALUE));
        assertThat(units).extracting(WorkUnit::id).doesNotHaveDuplicates();
        assertThat(WorkUnit.evalShards("/m.bin", "m", "piqa", FIRST_12, 0, 5, dir))
                .singleElement()
                .satisfies(u -> assertThat(u.range().to()).isEqualTo(Integer.MAX_VALUE));
    }

    @Test
    void cancellingScancelsEveryTask() {
        var queue = new InProcessSlurm();
        var cancel = new CancellationToken();
        cancel.cancel();
        var executor = new SlurmEvalExecutor(new Slurm(queue), slurm(5, 2), ProgressListener.NONE, cancel);
        assertThat(catchThrowable(() -> executor.run(request("piqa", 12), ItemStore.inMemory())))
                .isInstanceOf(CancellationToken.CancelledException.class);
        assertThat(queue.calls()).extracting(List::getFirst).containsExactly("sbatch", "scancel");
        assertThat(queue.calls().getLast()).hasSize(4); // scancel and the three shards' tasks
    }

    @Test
    void aShardGivenUpIsLeftOutAndNamed() {
        var queue = new InProcessSlurm();
        queue.failFirstAttempt = u -> u.from() == 5;
        ItemStore items = ItemStore.inMemory();
        var sharded = new SlurmEvalExecutor(
                        new Slurm(queue), slurm(5, 0), ProgressListener.NONE, CancellationToken.none())
                .pollEvery(10)
                .run(request("piqa", 12), items);
        assertThat(sharded.shardCount()).isEqualTo(3);
        assertThat(catchThrowable(() -> sharded.forTask("piqa", items)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("shard eval stories260K stories260K.bin piqa items [5, 10) did not finish")
                .hasMessageEndingWith("; run the evaluation again to resubmit it");
        // the finished shards were imported: items 0-4 and 10-11, 7 of the 12, under the run's item key
        var units = WorkUnit.evalShards(
                TestData.stories260K().toAbsolutePath().normalize().toString(),
                "stories260K",
                "piqa",
                FIRST_12,
                12,
                5,
                dir.resolve("ws").toAbsolutePath().normalize().resolve("shards"));
        assertThat(units).extracting(WorkUnit::done).containsExactly(true, false, true);
        String runKey = ShardOutput.read(Path.of(units.getFirst().output())).runKey();
        assertThat(items.load(runKey)).hasSize(7);
    }
}
