package dev.llmcw.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.results.CompressionRecord;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunRecord;
import dev.llmcw.suite.SuiteReport;
import dev.llmcw.suite.SuiteRunner;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.suite.WorkbenchSuiteActions;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Json;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sharded compressions through the Slurm executor without daemons ({@link InProcessSlurm} runs each task's
 * unit in this process): RTN 4-bit and GPTQ 4-bit in two shards of whole layers, GPTQ after one calibration
 * job into the workspace's content-addressed cache. The calibration and one RTN shard end without output the
 * first time (as a killed task does): each is resubmitted alone, what waits for it follows, and the stored
 * compressions are byte for byte the local executor's, with the same PIQA numbers.
 */
class ShardedCompressionTest {
    private static final String CALIB = "datasets/tinystories/tinystories_val_subset.txt";

    @TempDir
    Path dir;

    private SuiteSpec suite() throws Exception {
        Path file = dir.resolve("suite.yaml");
        Files.writeString(file, """
                name: sharded
                models:
                  - path: %s
                    label: stories260K
                methods:
                  - method: rtn
                    params: {bits: 4, group: 64}
                  - method: gptq
                    params: {bits: 4, group: 64, calib: %s, calib_seqs: 4, calib_len: 64}
                tasks: [piqa]
                options:
                  limit: 4
                executor:
                  type: slurm
                  compressShards: 2
                  retries: 1
                """.formatted(TestData.stories260K(), TestData.require(CALIB)));
        return SuiteSpec.read(file);
    }

    @Test
    void shardedCompressionsAreTheLocalOnesAndFailedShardsAreResubmittedAlone() throws Exception {
        Path data = TestData.require("datasets");
        SuiteSpec suite = suite();
        ModelHashes hashes = new ModelHashes(dir.resolve("hashes.json"));
        try (ResultsStore local = ResultsStore.open(dir.resolve("local.db"));
                ResultsStore sharded = ResultsStore.open(dir.resolve("slurm.db"))) {
            new SuiteRunner(
                            local,
                            WorkbenchSuiteActions.standard(data, dir),
                            hashes,
                            ProgressListener.NONE,
                            CancellationToken.none())
                    .run(suite, dir, dir.resolve("work-local"));

            var queue = new InProcessSlurm();
            Set<String> failing = ConcurrentHashMap.newKeySet(); // asked on every run of a unit
            queue.failFirstAttempt = u -> {
                boolean fail = u.kind() == WorkUnit.Kind.CALIBRATE
                        || (u.kind() == WorkUnit.Kind.COMPRESS_PART
                                && u.method().equals("rtn")
                                && u.from() == 1);
                if (fail) failing.add(u.kind() + " " + u.method());
                return fail;
            };
            List<String> log = Collections.synchronizedList(new ArrayList<>());
            ProgressListener capture = (s, d, t, m) -> {
                if (d < 0 && t < 0) log.add(s);
            };
            SuiteReport report = new SlurmSuiteExecutor(
                            sharded, hashes, new Slurm(queue), capture, CancellationToken.none())
                    .pollEvery(1)
                    .run(suite, dir, dir.resolve("work-slurm"), data);

            assertThat(report.failures()).isEmpty();
            assertThat(failing).containsExactlyInAnyOrder("CALIBRATE gptq", "COMPRESS_PART rtn");
            assertThat(compressions(sharded)).hasSize(2).isEqualTo(compressions(local));
            for (CompressionRecord c : sharded.compressions(null)) {
                Path localFile = dir.resolve("work-local")
                        .resolve(dir.resolve("work-slurm").relativize(Path.of(c.filePath())));
                assertThat(Files.readAllBytes(Path.of(c.filePath()))).isEqualTo(Files.readAllBytes(localFile));
            }
            assertThat(metrics(sharded)).hasSize(2).isEqualTo(metrics(local));

            // the calibration ran once, in the workspace, named by its content hash; every shard read it
            Path hessians =
                    SlurmSuiteExecutor.workspace(dir.resolve("work-slurm")).resolve("hessians");
            Path key;
            try (var keys = Files.list(hessians)) {
                key = keys.toList().stream()
                        .reduce((a, b) -> {
                            throw new AssertionError("more than one calibration folder: " + a + ", " + b);
                        })
                        .orElseThrow();
            }
            assertThat(key.resolve("complete")).isRegularFile();
            // each part records what it read: GPTQ's parts that cache's key, RTN's nothing
            Path parts = SlurmSuiteExecutor.workspace(dir.resolve("work-slurm")).resolve("parts");
            List<CompressionPartRunner.PartRecord> records = new ArrayList<>();
            try (var files = Files.list(parts)) {
                for (Path f : files.toList())
                    records.add(Json.read(Files.readString(f), CompressionPartRunner.PartRecord.class));
            }
            assertThat(records).hasSize(4);
            assertThat(records).filteredOn(r -> r.calibration() == null).hasSize(2);
            assertThat(records)
                    .filteredOn(r -> r.calibration() != null)
                    .hasSize(2)
                    .allMatch(r -> r.calibration().equals(key.getFileName().toString()));
            assertThat(log).anyMatch(l -> l.contains("calibrate stories260K for gptq") && l.contains("resubmitted as"));
            assertThat(log).anyMatch(l -> l.contains("shard 2/2") && l.contains("resubmitted as"));
        }
    }

    private static Map<String, List<RunRecord.Metric>> metrics(ResultsStore store) {
        Map<String, List<RunRecord.Metric>> out = new TreeMap<>();
        for (RunRecord r : store.listRuns(RunFilter.all()))
            out.put(r.method() + " " + r.methodParams() + " " + r.task(), r.metrics());
        return out;
    }

    private static Map<String, String> compressions(ResultsStore store) {
        Map<String, String> out = new TreeMap<>();
        for (CompressionRecord c : store.compressions(null))
            out.put(c.method() + " " + c.params(), c.fileHash() + " " + c.bitsPerWeight());
        return out;
    }
}
