package dev.llmcw.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.llmcw.TestData;
import dev.llmcw.app.EngineEvaluationService;
import dev.llmcw.app.EvaluationService;
import dev.llmcw.app.ModelHandle;
import dev.llmcw.app.ModelService;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.cluster.ShardState;
import dev.llmcw.cluster.ShardStatus;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunRecord;
import dev.llmcw.testing.SlurmAvailable;
import dev.llmcw.testing.SlurmCluster;
import dev.llmcw.testing.Ui;
import dev.llmcw.ui.jobs.JobState;
import dev.llmcw.ui.jobs.JobViewModel;
import dev.llmcw.ui.task.FxTaskExecutor;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.scene.control.RadioButton;
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
 * The Evaluate view on a real Slurm (tools/slurm-local; CI starts it): Slurm chosen in the view, stories260K
 * on PIQA's first 20 items in two shards of 10 run with Run evaluation, the job's shards followed to the end,
 * and the stored run equal to the same evaluation run locally (metrics, stderr, item count). Skipped without
 * Slurm, unless {@code WORKBENCH_REQUIRE_SLURM} is set.
 */
@SlurmCluster
@Ui
@ExtendWith(ApplicationExtension.class)
class SlurmEvaluateGuiTest {
    @TempDir
    static Path dir;

    private final Preferences prefs =
            Preferences.userRoot().node("dev/llmcw/workbench/slurmevalgui-" + System.nanoTime());
    private FxTaskExecutor executor;
    private WorkbenchViewModel vm;

    @Start
    void start(Stage stage) {
        executor = new FxTaskExecutor();
        WorkbenchApp.install(
                stage,
                WorkbenchServices.create(dir.resolve("ws"), dir.resolve("ws/results.db")),
                executor,
                new ScriptedFileDialogs(),
                null,
                new RecentModels(prefs));
        vm = (WorkbenchViewModel) stage.getUserData();
        stage.setWidth(1360);
        stage.setHeight(860);
        stage.show();
    }

    @AfterEach
    void tearDown() throws Exception {
        executor.shutdown();
        prefs.removeNode();
    }

    @Test
    void anEvaluationOnSlurmFromTheGuiStoresTheNumbersOfTheLocalRun(FxRobot robot) throws Exception {
        SlurmAvailable.require();
        Path data = TestData.require("datasets");
        Model model = ModelLoader.load(TestData.stories260K());
        ModelHandle handle = ModelService.handle(model, model.source());
        Map<String, String> local;
        try (ResultsStore store = ResultsStore.open(dir.resolve("local.db"))) {
            new EngineEvaluationService(store, data)
                    .evaluate(
                            new EvaluationService.Request(
                                    handle.name(), handle, null, List.of("piqa"), 20, 0, 1234, true, data, Map.of()),
                            ProgressListener.NONE,
                            CancellationToken.none());
            local = runs(store);
        }
        assertThat(local).hasSize(1);

        robot.interact(() -> {
            vm.session().setBaseModel(handle);
            vm.evaluate().task("piqa").selectedProperty().set(true);
            vm.evaluate().limitProperty().set(20);
            vm.evaluate().dataDirProperty().set(data);
        });
        robot.clickOn("#nav-evaluate");
        robot.interact(() -> {
            robot.lookup("#eval-executor-slurm").queryAs(RadioButton.class).fire();
            robot.lookup("#eval-slurm-shard-items").queryAs(TextField.class).setText("10");
            robot.lookup("#eval-slurm-mem").queryAs(TextField.class).setText("2G");
        });
        robot.interact(() -> robot.lookup("#run-eval").queryButton().fire());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !vm.jobs().jobs().isEmpty());
        JobViewModel job = vm.jobs().jobs().getFirst();
        assertThat(job.sharded()).isTrue();
        WaitForAsyncUtils.waitFor(300, TimeUnit.SECONDS, () -> job.state().finished());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(job.state()).as("log: %s", job.log()).isEqualTo(JobState.DONE);
        assertThat(job.shards())
                .extracting(ShardStatus::items, ShardStatus::state)
                .containsExactly(tuple("0–10", ShardState.DONE), tuple("10–end", ShardState.DONE));
        try (ResultsStore store = ResultsStore.open(dir.resolve("ws/results.db"))) {
            assertThat(runs(store)).isEqualTo(local);
        }
    }

    /** task → item count, stored items and metrics (values and stderr) of every run. */
    private static Map<String, String> runs(ResultsStore store) {
        Map<String, String> out = new TreeMap<>();
        for (RunRecord r : store.listRuns(RunFilter.all()))
            out.put(
                    r.task() + " " + r.modelLabel(),
                    r.status() + " " + r.items() + " items, "
                            + store.itemsFor(r.id()).size() + " stored, " + r.metrics());
        return out;
    }
}
