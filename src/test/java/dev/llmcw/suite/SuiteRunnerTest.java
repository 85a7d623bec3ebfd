package dev.llmcw.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunRecord;
import dev.llmcw.results.RunStatus;
import dev.llmcw.results.WorkbenchHome;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.PartsProgress;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteRunnerTest {
    @TempDir
    Path dir;

    ResultsStore store;
    FakeSuiteActions actions;
    Path suiteFile;

    @BeforeEach
    void setUp() throws Exception {
        store = ResultsStore.open(dir.resolve("results.db"));
        actions = new FakeSuiteActions();
        Files.writeString(dir.resolve("tiny.bin"), "tiny weights");
        suiteFile = Files.writeString(dir.resolve("sweep.yaml"), """
                name: test-sweep
                models:
                  - path: tiny.bin
                methods:
                  - method: none
                  - method: rtn
                    params: {group: 64}
                    sweep: {bits: [2, 4]}
                tasks: [piqa, tinystories]
                options: {limit: 8, fidelity: true}
                workDir: sweep-work
                """);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private SuiteReport run(CancellationToken cancel) {
        return run(cancel, ProgressListener.NONE);
    }

    private SuiteReport run(CancellationToken cancel, ProgressListener progress) {
        SuiteSpec spec = SuiteSpec.read(suiteFile);
        return new SuiteRunner(store, actions, new ModelHashes(null), progress, cancel)
                .run(spec, dir, SuiteRunner.defaultWorkDir(suiteFile, spec));
    }

    private record Update(String stage, long done, long total, String message) {}

    @Test
    void oneBarOverTheWholeSweepThatCompressionsAndTasksDoNotRestart() {
        var updates = new ArrayList<Update>();
        run(CancellationToken.none(), (s, d, t, m) -> {
            if (d >= 0 || t >= 0) updates.add(new Update(s, d, t, m));
        });

        assertThat(updates).allSatisfy(u -> {
            assertThat(u.stage()).isEqualTo("suite test-sweep");
            assertThat(u.total()).isEqualTo(6);
        });
        for (int i = 1; i < updates.size(); i++)
            assertThat(updates.get(i).done())
                    .isGreaterThanOrEqualTo(updates.get(i - 1).done());
        assertThat(updates.getLast().done()).isEqualTo(6);
        // the task's and the compression's own progress ride along in the message
        assertThat(updates)
                .anyMatch(u -> u.message().contains("piqa · piqa 3/" + FakeSuiteActions.ITEMS))
                .anyMatch(u -> u.message().contains("compressing · rtn 1/1"));
    }

    @Test
    void storedResultsAreMarkedSoTheMeasuredRateLeavesThemOut() {
        run(CancellationToken.none());
        var updates = new ArrayList<Update>();
        run(CancellationToken.none(), (s, d, t, m) -> {
            if (d >= 0 || t >= 0) updates.add(new Update(s, d, t, m));
        });

        assertThat(updates)
                .filteredOn(u -> u.message().endsWith(PartsProgress.RESUMED))
                .extracting(Update::done)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void workDirDefaultsOutsideTheSuiteFolder() throws Exception {
        Files.writeString(suiteFile, Files.readString(suiteFile).replace("workDir: sweep-work", ""));
        assertThat(SuiteRunner.defaultWorkDir(suiteFile, SuiteSpec.read(suiteFile)))
                .isEqualTo(WorkbenchHome.dir().resolve("suites/test-sweep"));
        Files.writeString(suiteFile, Files.readString(suiteFile) + "workDir: w\n");
        assertThat(SuiteRunner.defaultWorkDir(suiteFile, SuiteSpec.read(suiteFile)))
                .isEqualTo(dir.resolve("w"));
    }

    @Test
    void sweepsEverythingAndStoresIt() {
        SuiteReport r = run(CancellationToken.none());
        assertThat(r.ok()).as(r.failures().toString()).isTrue();
        assertThat(r.compressed()).isEqualTo(2);
        assertThat(r.evaluated()).isEqualTo(6);
        assertThat(r.runIds()).hasSize(6);
        assertThat(actions.compressions).containsExactly("rtn{bits=2, group=64}", "rtn{bits=4, group=64}");
        List<RunRecord> runs = store.listRuns(RunFilter.all());
        assertThat(runs).hasSize(6).allSatisfy(x -> {
            assertThat(x.status()).isEqualTo(RunStatus.DONE);
            assertThat(x.modelLabel()).isEqualTo("tiny");
            assertThat(x.metric("acc")).isPresent();
            assertThat(x.spec().options().limit()).isEqualTo(8);
        });
        RunRecord rtn2 = runs.stream()
                .filter(x -> "2".equals(x.methodParams().get("bits")))
                .findFirst()
                .orElseThrow();
        assertThat(rtn2.bitsPerWeight()).as("bits per compressed weight").isEqualTo(2.25);
        assertThat(rtn2.spec().options().fidelityBase()).endsWith("tiny.bin");
        assertThat(rtn2.metric("kl_mean")).isPresent();
        assertThat(rtn2.spec().modelPath()).contains("sweep-work").endsWith(".safetensors");
        RunRecord base =
                runs.stream().filter(x -> x.method().equals("none")).findFirst().orElseThrow();
        assertThat(base.bitsPerWeight()).isEqualTo(32.0);
        assertThat(base.spec().options().fidelityBase()).isNull();
        assertThat(store.compressions(null))
                .hasSize(2)
                .allSatisfy(c -> assertThat(c.tensorErrors()).hasSize(1));
        assertThat(store.itemsFor(rtn2.id())).hasSize(FakeSuiteActions.ITEMS);
        // a run of a compressed model leads back to its compression (per-tensor errors for charts)
        assertThat(store.compressionByFileHash(rtn2.spec().modelHash()))
                .get()
                .satisfies(c -> assertThat(c.params()).containsEntry("bits", "2"));
        assertThat(rtn2.metricsMap()).containsKeys("acc", "acc_stderr", "kl_mean");
    }

    @Test
    void runningAgainDoesNothingNew() {
        SuiteReport first = run(CancellationToken.none());
        int scored = actions.itemsScored.get();
        SuiteReport again = run(CancellationToken.none());
        assertThat(again.compressed()).isZero();
        assertThat(again.compressionsReused()).isEqualTo(2);
        assertThat(again.evaluated()).isZero();
        assertThat(again.runsReused()).isEqualTo(6);
        assertThat(again.runIds()).isEqualTo(first.runIds());
        assertThat(actions.compressions).hasSize(2);
        assertThat(actions.itemsScored.get()).isEqualTo(scored);
    }

    @Test
    void aCrashedRunResumesItemByItem() {
        actions.crashAfter = 3;
        SuiteReport first = run(CancellationToken.none());
        assertThat(first.failures())
                .singleElement()
                .asString()
                .contains("simulated crash")
                .contains("tiny none piqa");
        assertThat(first.evaluated()).isEqualTo(5);
        RunRecord failed =
                store.listRuns(RunFilter.all().withStatus(RunStatus.FAILED)).getFirst();
        assertThat(failed.message()).isEqualTo("simulated crash");
        int before = actions.itemsScored.get();

        SuiteReport second = run(CancellationToken.none());
        assertThat(second.ok()).isTrue();
        assertThat(second.evaluated()).isEqualTo(1);
        assertThat(actions.itemsScored.get() - before)
                .as("only the missing items")
                .isEqualTo(FakeSuiteActions.ITEMS - 3);
        assertThat(store.getRun(failed.id()).orElseThrow().status()).isEqualTo(RunStatus.DONE);
        assertThat(store.listRuns(RunFilter.all())).hasSize(6);
    }

    @Test
    void cancellationStopsTheSweepAndMarksTheRun() {
        var cancel = new CancellationToken();
        actions.cancelAfterFirstItem = cancel;
        assertThatThrownBy(() -> run(cancel)).isInstanceOf(CancellationToken.CancelledException.class);
        assertThat(store.listRuns(RunFilter.all()))
                .singleElement()
                .satisfies(r -> assertThat(r.status()).isEqualTo(RunStatus.CANCELLED));
        SuiteReport r = run(CancellationToken.none());
        assertThat(r.ok()).isTrue();
        assertThat(store.listRuns(RunFilter.all().withStatus(RunStatus.DONE))).hasSize(6);
    }

    @Test
    void changedWeightsAreNeverServedStaleResults() throws Exception {
        run(CancellationToken.none());
        Path model = dir.resolve("tiny.bin");
        Files.writeString(model, "retrained weights");
        Files.setLastModifiedTime(model, FileTime.from(Instant.now().plusSeconds(10)));
        SuiteReport r = run(CancellationToken.none());
        assertThat(r.compressed()).isEqualTo(2);
        assertThat(r.evaluated()).isEqualTo(6);
        assertThat(r.runsReused()).isZero();
        assertThat(store.listRuns(RunFilter.all())).hasSize(12);
    }

    @Test
    void failedCompressionIsReportedAndTheRestGoesOn() {
        actions.failCompression = "rtn";
        SuiteReport r = run(CancellationToken.none());
        assertThat(r.failures()).hasSize(2).allSatisfy(f -> assertThat(f).contains("compression failed"));
        assertThat(r.evaluated()).isEqualTo(2);
    }

    @Test
    void missingModelIsAFailureNotACrash() throws Exception {
        Files.writeString(suiteFile, Files.readString(suiteFile).replace("tiny.bin", "gone.bin"));
        SuiteReport r = run(CancellationToken.none());
        assertThat(r.failures())
                .singleElement()
                .asString()
                .contains("model not found")
                .contains("gone.bin");
    }

    @Test
    void settingsSlugsAreUniqueAndSafe() {
        var a = new SuiteSpec.Setting("seedlm", Map.of("C", "8", "P", "3", "K", "16"));
        var b = new SuiteSpec.Setting("seedlm", Map.of("C", "8", "P", "4", "K", "16"));
        assertThat(SuiteRunner.slug(a)).matches("[A-Za-z0-9._=-]+").isNotEqualTo(SuiteRunner.slug(b));
    }
}
