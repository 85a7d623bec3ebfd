package dev.llmcw.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.llmcw.TestData;
import dev.llmcw.app.DefaultSuiteService;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.cluster.ShardState;
import dev.llmcw.cluster.ShardStatus;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunRecord;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.testing.SlurmAvailable;
import dev.llmcw.testing.SlurmCluster;
import dev.llmcw.testing.Ui;
import dev.llmcw.ui.jobs.JobState;
import dev.llmcw.ui.jobs.JobViewModel;
import dev.llmcw.ui.task.FxTaskExecutor;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The GUI on a real Slurm (tools/slurm-local; CI starts it): Slurm chosen in the Suites view, a tiny suite
 * (RTN 4-bit, PIQA's first 20 items in two shards of 10) run with Run suite, its shards followed in the Jobs
 * view to the end, and the stored numbers equal those of the same suite run locally, bit for bit. With
 * {@code -Dscreenshots.out=DIR} it also saves 15-suites-slurm.png and 16-jobs-slurm-shards.png (1440×900) and
 * the same two pages at 1024×700 there. Skipped without Slurm, unless {@code WORKBENCH_REQUIRE_SLURM} is set.
 */
@SlurmCluster
@Ui
@ExtendWith(ApplicationExtension.class)
class SlurmGuiTest {
    @TempDir
    static Path dir;

    private final Preferences prefs = Preferences.userRoot().node("dev/llmcw/workbench/slurmgui-" + System.nanoTime());
    private FxTaskExecutor executor;
    private WorkbenchViewModel vm;
    private Stage stage;
    private Path shots;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        executor = new FxTaskExecutor();
        WorkbenchApp.install(
                stage,
                WorkbenchServices.create(dir.resolve("ws"), dir.resolve("ws/results.db")),
                executor,
                new ScriptedFileDialogs(),
                null,
                new RecentModels(prefs));
        vm = (WorkbenchViewModel) stage.getUserData();
        String out = System.getProperty("screenshots.out");
        shots = out == null || out.isBlank() ? null : Path.of(out);
        stage.setWidth(shots == null ? 1360 : 1440);
        stage.setHeight(shots == null ? 860 : 900);
        stage.show();
    }

    @AfterEach
    void tearDown() throws Exception {
        executor.shutdown();
        prefs.removeNode();
    }

    private Path suite(String name, String workDir) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, """
                name: tiny-slurm
                workDir: %s
                models:
                  - path: %s
                    label: stories260K
                methods:
                  - method: rtn
                    params: {bits: 4, group: 64}
                tasks: [piqa]
                options: {limit: 20}
                """.formatted(workDir, TestData.stories260K().toAbsolutePath()));
        return file;
    }

    @Test
    void aSuiteRunOnSlurmFromTheGuiStoresTheNumbersOfTheLocalRun(FxRobot robot) throws Exception {
        SlurmAvailable.require();
        Path data = TestData.require("datasets");
        Map<String, List<RunRecord.Metric>> local;
        try (ResultsStore store = ResultsStore.open(dir.resolve("local.db"))) {
            Path file = suite("local", "work-local");
            new DefaultSuiteService(store, data)
                    .run(SuiteSpec.read(file), file, ProgressListener.NONE, CancellationToken.none());
            local = metrics(store);
        }
        assertThat(local).hasSize(1);

        Path file = suite("tiny-slurm", "work-slurm");
        robot.clickOn("#nav-suites");
        robot.interact(() -> vm.suites().open(file));
        robot.clickOn("#suite-executor-slurm");
        robot.interact(() -> {
            robot.lookup("#slurm-partition").queryAs(TextField.class).setText("debug");
            robot.lookup("#slurm-time").queryAs(TextField.class).setText("00:20:00");
            robot.lookup("#slurm-mem").queryAs(TextField.class).setText("2G");
            robot.lookup("#slurm-cpus").queryAs(TextField.class).setText("1");
            robot.lookup("#slurm-shard-items").queryAs(TextField.class).setText("10");
            robot.lookup("#slurm-retries").queryAs(TextField.class).setText("2");
            robot.lookup("#slurm-preamble").queryAs(TextArea.class).setText("ulimit -c 0");
        });
        robot.clickOn("#suite-validate");
        assertThat(vm.suites().executorLineProperty().get())
                .isEqualTo("Runs on Slurm: partition debug, time 00:20:00, mem 2G, 1 CPUs per task,"
                        + " 10 items per shard, 2 retries.");
        snapBothSizes("15-suites-slurm", "fit-suites-slurm");

        robot.clickOn("#suite-run");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !vm.jobs().jobs().isEmpty());
        JobViewModel job = vm.jobs().jobs().getFirst();
        assertThat(job.sharded()).isTrue();
        // an evaluation shard running: the moment the Jobs view screenshot shows
        WaitForAsyncUtils.waitFor(
                180,
                TimeUnit.SECONDS,
                () -> job.state().finished()
                        || job.shards().stream()
                                .anyMatch(s -> s.kindName().equals("evaluate") && s.state() == ShardState.RUNNING));
        snapBothSizes("16-jobs-slurm-shards", "fit-jobs-slurm");
        WaitForAsyncUtils.waitFor(240, TimeUnit.SECONDS, () -> job.state().finished());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(job.state()).as("log: %s", job.log()).isEqualTo(JobState.DONE);
        assertThat(job.shards())
                .extracting(ShardStatus::kindName, ShardStatus::items, ShardStatus::state)
                .containsExactly(
                        tuple("compress", "", ShardState.DONE),
                        tuple("evaluate", "0–10", ShardState.DONE),
                        tuple("evaluate", "10–end", ShardState.DONE));
        assertThat(job.shards()).allSatisfy(s -> assertThat(s.slurmTask()).matches("\\d+_\\d"));
        assertThat(vm.suites().lastReportProperty().get()).contains("0 failure(s)");
        try (ResultsStore store = ResultsStore.open(dir.resolve("ws/results.db"))) {
            assertThat(metrics(store)).isEqualTo(local);
        }
    }

    /** Saves the window at its size and at 1024×700 when screenshots are asked for. */
    private void snapBothSizes(String name, String small) throws Exception {
        if (shots == null) return;
        Files.createDirectories(shots);
        ScreenshotsTest.snap(stage, shots.resolve(name + ".png"));
        double w = stage.getWidth(), h = stage.getHeight();
        WaitForAsyncUtils.asyncFx(() -> {
                    stage.setWidth(1024);
                    stage.setHeight(700);
                })
                .get(10, TimeUnit.SECONDS);
        ScreenshotsTest.snap(stage, shots.resolve(small + "-1024x700.png"));
        WaitForAsyncUtils.asyncFx(() -> {
                    stage.setWidth(w);
                    stage.setHeight(h);
                })
                .get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static Map<String, List<RunRecord.Metric>> metrics(ResultsStore store) {
        Map<String, List<RunRecord.Metric>> out = new TreeMap<>();
        for (RunRecord r : store.listRuns(RunFilter.all())) {
            assertThat(r.metrics()).isNotEmpty();
            out.put(r.method() + " " + r.methodParams() + " " + r.task(), r.metrics());
        }
        return out;
    }
}
