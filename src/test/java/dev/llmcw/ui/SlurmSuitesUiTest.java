package dev.llmcw.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.llmcw.TestData;
import dev.llmcw.app.DefaultSuiteService;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.StoreResultsService;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.cluster.InProcessSlurm;
import dev.llmcw.cluster.ShardStatus;
import dev.llmcw.cluster.Slurm;
import dev.llmcw.testing.Ui;
import dev.llmcw.ui.jobs.JobState;
import dev.llmcw.ui.task.FxTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
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
 * The Suites view's executor choice and the Jobs view's shard table through the real window: choosing Slurm
 * shows its options, what is typed there is kept in the workspace, and Run suite puts a job in the queue whose
 * shards (a compression and two PIQA shards, run by {@link InProcessSlurm}) fill the shard table and end done.
 */
@Ui
@ExtendWith(ApplicationExtension.class)
class SlurmSuitesUiTest {
    @TempDir
    static Path dir;

    private final Preferences prefs = Preferences.userRoot().node("dev/llmcw/workbench/slurmui-" + System.nanoTime());
    private FxTaskExecutor executor;
    private WorkbenchViewModel vm;

    @Start
    void start(Stage stage) {
        executor = new FxTaskExecutor();
        var services = WorkbenchServices.create(dir.resolve("ws"), dir.resolve("ws/results.db"));
        var store = ((StoreResultsService) services.results()).store();
        var slurm = new Slurm(new InProcessSlurm());
        services = services.withSuites(
                new DefaultSuiteService(store, TestData.require("datasets"), slurm, () -> true, 100));
        WorkbenchApp.install(stage, services, executor, new ScriptedFileDialogs(), null, new RecentModels(prefs));
        vm = (WorkbenchViewModel) stage.getUserData();
        stage.show();
    }

    @AfterEach
    void tearDown() throws Exception {
        executor.shutdown();
        prefs.removeNode();
    }

    @Test
    void choosingSlurmShowsItsOptionsAndTheJobShowsItsShards(FxRobot robot) throws Exception {
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
                """.formatted(TestData.stories260K().toAbsolutePath()));
        robot.clickOn("#nav-suites");
        robot.interact(() -> vm.suites().open(file));
        assertThat(robot.lookup("#slurm-options").query().isVisible()).isFalse();
        assertThat(robot.lookup("#suite-executor-line").queryLabeled().getText())
                .isEqualTo("Runs here (local executor).");

        robot.clickOn("#suite-executor-slurm");
        assertThat(robot.lookup("#slurm-options").query().isVisible()).isTrue();
        robot.interact(() -> {
            robot.lookup("#slurm-partition").queryAs(TextField.class).setText("debug");
            robot.lookup("#slurm-shard-items").queryAs(TextField.class).setText("10");
        });
        robot.clickOn("#suite-validate");
        assertThat(robot.lookup("#suite-executor-line").queryLabeled().getText())
                .isEqualTo("Runs on Slurm: partition debug, 10 items per shard, 2 retries.");

        robot.clickOn("#suite-run");
        // Run suite shows the Jobs view, where the job's shards appear under the queue
        WaitForAsyncUtils.waitFor(
                10,
                TimeUnit.SECONDS,
                () -> robot.lookup("#shards-table").tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        TableView<ShardStatus> shards = robot.lookup("#shards-table").queryAs(TableView.class);
        var job = vm.jobs().jobs().getFirst();
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> job.state().finished());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(job.state()).as("log: %s", job.log()).isEqualTo(JobState.DONE);
        assertThat(shards.getItems())
                .extracting(ShardStatus::kindName, ShardStatus::items)
                .containsExactly(tuple("compress", ""), tuple("evaluate", "0–10"), tuple("evaluate", "10–end"));
        assertThat(robot.lookup("#shard-counts").queryAs(Label.class).getText()).isEqualTo("3 shards: 3 done");
        assertThat(robot.lookup("#resubmit-shard").query().isDisabled()).isTrue();
        // the setting was kept in the workspace
        assertThat(Files.readString(dir.resolve("ws/executor.json")))
                .contains("\"type\":\"slurm\"")
                .contains("\"partition\":\"debug\"");
        assertThat(vm.results().runs()).hasSize(1);
    }
}
