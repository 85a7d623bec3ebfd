package dev.llmcw.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.llmcw.eval.ItemRange;
import dev.llmcw.results.RunSpec;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tracker's decisions against a scripted queue (the commands it runs are recorded; the real daemons are
 * {@link SlurmExecutorTest}'s): a task that leaves the queue without output is resubmitted alone, a unit is
 * given up after its retries, and evaluations waiting for a resubmitted compression follow it.
 */
class JobTrackerTest {
    @TempDir
    Path dir;

    /** A queue the test drives: {@code step} runs before every squeue answer, with the number of the call. */
    private static final class FakeQueue implements Slurm.Commands {
        final Map<String, String> queue = new LinkedHashMap<>();
        final List<List<String>> calls = new ArrayList<>();
        IntConsumer step = n -> {};
        int nextId = 100, squeues;

        @Override
        public Slurm.Result run(List<String> cmd) {
            calls.add(cmd);
            switch (cmd.getFirst()) {
                case "sbatch" -> {
                    String id = Integer.toString(nextId++);
                    String array = cmd.stream()
                            .filter(a -> a.startsWith("--array="))
                            .findFirst()
                            .orElseThrow()
                            .substring(8);
                    for (int i : indices(array)) queue.put(id + "_" + i, "PENDING");
                    return new Slurm.Result(0, id + "\n", "");
                }
                case "squeue" -> {
                    step.accept(++squeues);
                    var sb = new StringBuilder();
                    queue.forEach((k, v) -> sb.append(k).append('|').append(v).append('\n'));
                    return new Slurm.Result(0, sb.toString(), "");
                }
                case "scancel" -> {
                    cmd.subList(1, cmd.size()).forEach(queue::remove);
                    return new Slurm.Result(0, "", "");
                }
                default -> {
                    return new Slurm.Result(0, "FAILED|1:0\n", "");
                }
            }
        }

        private static List<Integer> indices(String array) {
            List<Integer> out = new ArrayList<>();
            if (array.contains("-")) {
                String[] p = array.split("-");
                for (int i = Integer.parseInt(p[0]); i <= Integer.parseInt(p[1]); i++) out.add(i);
            } else out.add(Integer.parseInt(array));
            return out;
        }

        List<String> sbatches() {
            return calls.stream()
                    .filter(c -> c.getFirst().equals("sbatch"))
                    .map(c -> String.join(" ", c.subList(2, c.size() - 1)))
                    .toList();
        }
    }

    private List<WorkUnit> shards(int n) {
        List<WorkUnit> out = new ArrayList<>();
        for (int i = 0; i < n; i++)
            out.add(WorkUnit.eval(
                    "m.bin", "m", "piqa", RunSpec.Options.defaults(), new ItemRange(i * 10, i * 10 + 10), dir));
        return out;
    }

    private static void finish(FakeQueue q, String task, WorkUnit u) {
        try {
            Files.writeString(Path.of(u.output()), "{}");
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
        q.queue.remove(task);
    }

    private JobTracker tracker(FakeQueue q, int retries) {
        return new JobTracker(new Slurm(q), retries, 1, ProgressListener.NONE, CancellationToken.none());
    }

    @Test
    void aTaskThatEndsWithoutOutputIsResubmittedAlone() throws Exception {
        var q = new FakeQueue();
        List<WorkUnit> units = shards(3);
        q.step = n -> {
            if (n == 2) {
                finish(q, "100_0", units.get(0));
                finish(q, "100_2", units.get(2));
                q.queue.remove("100_1"); // cancelled: gone from the queue, no output
            }
            if (n == 4) finish(q, "101_1", units.get(1));
        };
        JobTracker t = tracker(q, 2);
        t.submit(dir.resolve("job.sh"), units, null);
        t.await();
        assertThat(q.sbatches()).containsExactly("--array=0-2", "--array=1");
        assertThat(t.resubmitted()).isEqualTo(1);
        assertThat(t.givenUp()).isEmpty();
    }

    @Test
    void aUnitIsGivenUpAfterItsRetries() throws Exception {
        var q = new FakeQueue();
        List<WorkUnit> units = shards(2);
        q.step = n -> {
            q.queue.remove("100_0");
            q.queue.remove("101_0");
            if (q.queue.containsKey("100_1")) finish(q, "100_1", units.get(1));
        };
        JobTracker t = tracker(q, 1);
        t.submit(dir.resolve("job.sh"), units, null);
        t.await();
        assertThat(q.sbatches()).containsExactly("--array=0-1", "--array=0");
        assertThat(t.givenUp()).containsExactly(units.get(0));
    }

    @Test
    void evaluationsFollowAResubmittedCompression() throws Exception {
        var q = new FakeQueue();
        WorkUnit c = WorkUnit.compress("m.bin", "m", "rtn", Map.of("bits", "4"), dir.resolve("c.safetensors"), dir);
        List<WorkUnit> evals = shards(2);
        q.step = n -> {
            if (n == 1) q.queue.remove("100_0"); // the compression fails; its evaluations wait forever
            if (n == 3) {
                finish(q, "102_0", c);
                finish(q, "103_0", evals.get(0));
                finish(q, "104_1", evals.get(1));
            }
        };
        JobTracker t = tracker(q, 2);
        t.submit(dir.resolve("c.sh"), List.of(c), null);
        t.submit(dir.resolve("e.sh"), evals, c.id());
        t.await();
        assertThat(q.sbatches())
                .containsExactly(
                        "--array=0",
                        "--array=0-1 --dependency=afterok:100",
                        "--array=0",
                        "--array=0 --dependency=afterok:102",
                        "--array=1 --dependency=afterok:102");
        assertThat(q.calls).anyMatch(cmd -> cmd.equals(List.of("scancel", "101_0")));
        assertThat(t.givenUp()).isEmpty();
    }

    @Test
    void aShardedCompressionsChainFollowsAResubmittedCalibration() throws Exception {
        var q = new FakeQueue();
        WorkUnit c = WorkUnit.compress("m.bin", "m", "gptq", Map.of("bits", "4"), dir.resolve("c.safetensors"), dir);
        WorkUnit h = WorkUnit.calibrate("m.bin", "m", "gptq", Map.of("bits", "4"), dir.resolve("h"));
        Files.createDirectories(dir.resolve("h"));
        Files.createDirectories(dir.resolve("parts"));
        Path shardDir = dir.resolve("shards");
        List<WorkUnit> parts =
                List.of(WorkUnit.compressPart(c, 0, 2, shardDir), WorkUnit.compressPart(c, 1, 2, shardDir));
        List<WorkUnit> evals = shards(1);
        q.step = n -> {
            if (n == 1) q.queue.remove("100_0"); // the calibration fails: parts, assembly, evaluation wait forever
            if (n == 3) { // then everything runs
                for (WorkUnit u : List.of(h, parts.get(0), parts.get(1), c, evals.get(0))) finish(q, "-", u);
                q.queue.clear();
            }
        };
        JobTracker t = tracker(q, 2);
        t.submit(dir.resolve("h.sh"), List.of(h), null);
        t.submit(dir.resolve("p.sh"), parts, h.id());
        t.submitAfter(
                dir.resolve("c.sh"),
                List.of(c),
                parts.stream().map(WorkUnit::id).toList());
        t.submit(dir.resolve("e.sh"), evals, c.id());
        t.await();
        // each resubmitted part is its own job: the assembly waits for both parts' jobs, the evaluation for
        // the newest assembly; nothing waits for a job whose dependency can no longer be met
        assertThat(q.sbatches())
                .containsExactly(
                        "--array=0",
                        "--array=0-1 --dependency=afterok:100",
                        "--array=0 --dependency=afterok:101",
                        "--array=0 --dependency=afterok:102",
                        "--array=0",
                        "--array=0 --dependency=afterok:104",
                        "--array=0 --dependency=afterok:105:101",
                        "--array=0 --dependency=afterok:106",
                        "--array=1 --dependency=afterok:104",
                        "--array=0 --dependency=afterok:105:108",
                        "--array=0 --dependency=afterok:109");
        assertThat(q.calls).anyMatch(cmd -> cmd.equals(List.of("scancel", "101_1")));
        assertThat(t.givenUp()).isEmpty();
        assertThat(t.resubmitted()).isEqualTo(7);
    }

    @Test
    void theWatchSeesEachShardsStatesAndAGivenUpShardIsResubmittedByHand() throws Exception {
        var q = new FakeQueue();
        List<WorkUnit> units = shards(2);
        q.step = n -> {
            if (n == 1) q.queue.put("100_1", "RUNNING");
            if (n == 2) {
                q.queue.remove("100_0"); // ends without output; retries 0: given up
                finish(q, "100_1", units.get(1));
            }
            if (n == 4) finish(q, "101_0", units.get(0));
        };
        var watch = new ShardWatch();
        Map<String, List<ShardState>> seen = new LinkedHashMap<>();
        watch.addListener(snapshot -> {
            for (ShardStatus s : snapshot) {
                List<ShardState> states = seen.computeIfAbsent(s.items(), k -> new ArrayList<>());
                if (states.isEmpty() || states.getLast() != s.state()) states.add(s.state());
                if (s.state() == ShardState.FAILED) watch.resubmit(s.unitId());
            }
        });
        JobTracker t = tracker(q, 0).watch(watch);
        t.submit(dir.resolve("job.sh"), units, null);
        t.await();
        assertThat(q.sbatches()).containsExactly("--array=0-1", "--array=0");
        assertThat(seen.get("0–10"))
                .containsExactly(ShardState.PENDING, ShardState.FAILED, ShardState.RESUBMITTED, ShardState.DONE);
        assertThat(seen.get("10–20")).containsExactly(ShardState.PENDING, ShardState.RUNNING, ShardState.DONE);
        assertThat(watch.shards())
                .extracting(ShardStatus::slurmTask, ShardStatus::attempts)
                .containsExactly(tuple("101_0", 2), tuple("100_1", 1));
        assertThat(t.givenUp()).isEmpty();
    }
}
