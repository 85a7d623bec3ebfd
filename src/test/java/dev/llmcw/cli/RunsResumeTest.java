package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.eval.ItemStore;
import dev.llmcw.results.FakeEvalJob;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunRecord;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.RunStatus;
import dev.llmcw.results.StoredRuns;
import dev.llmcw.suite.WorkbenchSuiteActions;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM evaluating into the store is killed; the store then shows the run interrupted, and
 * {@code runs resume} completes it with the numbers of an uninterrupted run; {@code runs delete} removes one.
 */
class RunsResumeTest {
    static final int ITEMS = 40;
    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path dir;

    /** The fake job's scorer behind the resume command's evaluator seam. */
    static final class FakeEvaluator implements WorkbenchSuiteActions.TaskEvaluator {
        int evaluations;

        @Override
        public String taskVersion(String task) {
            return "1";
        }

        @Override
        public String dataHash(String task) {
            return null;
        }

        @Override
        public StoredRuns.Result evaluate(
                Path model,
                String task,
                RunSpec.Options options,
                String runKey,
                ItemStore items,
                ProgressListener progress,
                CancellationToken cancel)
                throws Exception {
            evaluations++;
            return new StoredRuns.Result(FakeEvalJob.evaluate(runKey, items, options.limit(), 0, QUIET), runKey);
        }
    }

    @Test
    void killedRunIsInterruptedThenResumedWithTheSameNumbers() throws Exception {
        Path model = Files.writeString(dir.resolve("model.bin"), "fake weights");
        Path db = dir.resolve("results.db");
        Process p = start(db, model);
        try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            int saved = 0;
            String line;
            while (saved < 10 && (line = r.readLine()) != null) if (line.startsWith("saved ")) saved++;
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        long id;
        try (var store = ResultsStore.open(db)) {
            RunRecord run = store.listRuns(RunFilter.all()).getFirst();
            assertThat(run.status()).isEqualTo(RunStatus.INTERRUPTED);
            id = run.id();
        }
        var list = ResultsCommandsTest.run("runs", "list", "--db", db.toString(), "--status", "interrupted");
        assertThat(list.out()).contains("1 run(s)").contains("interrupted");

        var fake = new FakeEvaluator();
        var saved = RunsCommand.evaluators;
        RunsCommand.evaluators = data -> fake;
        try {
            var resumed = ResultsCommandsTest.run("runs", "resume", "--db", db.toString(), Long.toString(id));
            assertThat(resumed.rc()).as(resumed.err()).isZero();
            assertThat(resumed.out()).contains("run " + id).contains("done");
            var again = ResultsCommandsTest.run("runs", "resume", "--db", db.toString(), Long.toString(id));
            assertThat(again.rc()).isNotZero();
            assertThat(again.err()).contains("already done");
        } finally {
            RunsCommand.evaluators = saved;
        }
        assertThat(fake.evaluations).isEqualTo(1);

        try (var resumed = ResultsStore.open(db);
                var clean = ResultsStore.open(dir.resolve("clean.db"))) {
            var uninterrupted = FakeEvalJob.run(clean, model, ITEMS, 0, QUIET);
            RunRecord run = resumed.getRun(id).orElseThrow();
            assertThat(run.status()).isEqualTo(RunStatus.DONE);
            assertThat(resumed.listRuns(RunFilter.all())).hasSize(1);
            assertThat(resumed.metricsOf(id).orElseThrow().metrics())
                    .isEqualTo(clean.metricsOf(uninterrupted.run().id())
                            .orElseThrow()
                            .metrics());
            assertThat(resumed.itemsFor(id))
                    .isEqualTo(clean.itemsFor(uninterrupted.run().id()));
        }
        var delete = ResultsCommandsTest.run("runs", "delete", "--db", db.toString(), Long.toString(id));
        assertThat(delete.out()).contains("deleted 1 run(s)");
    }

    @Test
    void aRunOfALiveProcessIsNotResumedTwice() {
        Path db = dir.resolve("live.db");
        try (var store = ResultsStore.open(db)) {
            long id = store.saveRun(
                    new RunSpec("/m.bin", "m", "h", "none", Map.of(), List.of("piqa"), null), "piqa", "1", null, null);
            var r = ResultsCommandsTest.run("runs", "resume", "--db", db.toString(), Long.toString(id));
            assertThat(r.rc()).isNotZero();
            assertThat(r.err())
                    .contains("still running")
                    .contains("process " + ProcessHandle.current().pid());
        }
    }

    private Process start(Path db, Path model) throws Exception {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new ProcessBuilder(
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
                        "40")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }
}
