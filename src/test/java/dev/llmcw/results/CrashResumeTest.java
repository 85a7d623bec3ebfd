package dev.llmcw.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.testing.Slow;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real process evaluating into the results store is killed (SIGKILL) midway; running it again
 * finishes the run, computing only the missing items, with metrics identical to a run that was
 * never interrupted.
 */
class CrashResumeTest {
    static final int ITEMS = 60;
    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path dir;

    @Slow
    @Test
    void killedProcessResumesWhereItStopped() throws Exception {
        Path model = Files.writeString(dir.resolve("model.bin"), "fake weights");
        Path db = dir.resolve("results.db");

        Process p = start(db, model, 40);
        int saved = 0;
        try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("saved ")) saved++;
                if (saved == 20) break;
            }
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(saved).as("items saved before the kill").isEqualTo(20);

        long stored;
        try (var store = ResultsStore.open(db)) {
            var runs = store.listRuns(RunFilter.all());
            // its process is gone: opening the store marks it interrupted instead of leaving it "running" forever
            assertThat(runs)
                    .singleElement()
                    .satisfies(run -> assertThat(run.status().dbName()).isEqualTo("interrupted"));
            // the evaluator of this job stores items under the run key itself
            stored = store.itemCount(runs.getFirst().runKey());
        }
        // Every item reported as saved is durable; at most the one in flight may be extra.
        assertThat(stored).isBetween(20L, 21L).isLessThan(ITEMS);

        Process p2 = start(db, model, 0);
        List<String> out = readAll(p2);
        assertThat(p2.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p2.exitValue()).as(String.join("\n", out)).isZero();
        assertThat(out).contains("resuming with " + stored, "computed " + (ITEMS - stored));

        Path cleanDb = dir.resolve("clean.db");
        try (var resumed = ResultsStore.open(db);
                var clean = ResultsStore.open(cleanDb)) {
            var uninterrupted = FakeEvalJob.run(clean, model, ITEMS, 0, QUIET);
            RunRecord run = resumed.listRuns(RunFilter.all()).getFirst();
            assertThat(resumed.listRuns(RunFilter.all())).hasSize(1);
            assertThat(run.status()).isEqualTo(RunStatus.DONE);
            assertThat(resumed.metricsOf(run.id()).orElseThrow().metrics())
                    .isEqualTo(clean.metricsOf(uninterrupted.run().id())
                            .orElseThrow()
                            .metrics());
            assertThat(resumed.itemsFor(run.id()))
                    .isEqualTo(clean.itemsFor(uninterrupted.run().id()));
            // a third run reuses the finished result without evaluating
            assertThat(FakeEvalJob.run(resumed, model, ITEMS, 0, QUIET).reused())
                    .isTrue();
        }
    }

    @Test
    void aRunOfALiveProcessStaysRunningWhenAnotherStoreOpens() {
        Path db = dir.resolve("live.db");
        try (var mine = ResultsStore.open(db)) {
            long id = mine.saveRun(
                    new RunSpec("/m.bin", "m", "h", "none", Map.of(), List.of("piqa"), null), "piqa", "1", null, null);
            try (var other = ResultsStore.open(db)) {
                assertThat(other.getRun(id).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
            }
            assertThat(mine.getRun(id).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        }
    }

    private Process start(Path db, Path model, long delayMs) throws Exception {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "--add-modules",
                "jdk.incubator.vector",
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                FakeEvalJob.class.getName(),
                db.toString(),
                model.toString(),
                Integer.toString(ITEMS),
                Long.toString(delayMs)));
        return new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static List<String> readAll(Process p) throws Exception {
        try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            return r.lines().toList();
        }
    }
}
