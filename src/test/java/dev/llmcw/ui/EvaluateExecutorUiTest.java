package dev.llmcw.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.app.ExecutorSettings;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.testing.Ui;
import dev.llmcw.ui.task.FxTaskExecutor;
import java.nio.file.Path;
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

/**
 * The Evaluate view's executor form in the real window (no daemons): Local at first with the Slurm options
 * hidden; choosing Slurm shows them, and the choice and a typed option are the Suites view's setting too,
 * kept in the workspace.
 */
@Ui
@ExtendWith(ApplicationExtension.class)
class EvaluateExecutorUiTest {
    @TempDir
    static Path dir;

    private final Preferences prefs =
            Preferences.userRoot().node("dev/llmcw/workbench/evalexecui-" + System.nanoTime());
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
    void choosingSlurmInEvaluateIsTheSuitesViewsSetting(FxRobot robot) {
        robot.clickOn("#nav-evaluate");
        assertThat(robot.lookup("#eval-executor-local")
                        .queryAs(RadioButton.class)
                        .isSelected())
                .isTrue();
        assertThat(robot.lookup("#eval-slurm-options").query().isVisible()).isFalse();

        robot.interact(() ->
                robot.lookup("#eval-executor-slurm").queryAs(RadioButton.class).fire());
        assertThat(robot.lookup("#eval-slurm-options").query().isVisible()).isTrue();
        robot.interact(() ->
                robot.lookup("#eval-slurm-partition").queryAs(TextField.class).setText("debug"));
        assertThat(vm.suites().executor().slurmProperty().get()).isTrue();
        assertThat(vm.suites().executor().partitionProperty().get()).isEqualTo("debug");
        // the choice is saved when it changes, as the Suites view saves it
        assertThat(ExecutorSettings.inWorkspace(dir.resolve("ws")).get().isSlurm())
                .isTrue();

        robot.clickOn("#nav-suites");
        assertThat(robot.lookup("#suite-executor-slurm")
                        .queryAs(RadioButton.class)
                        .isSelected())
                .isTrue();
        assertThat(robot.lookup("#slurm-partition").queryAs(TextField.class).getText())
                .isEqualTo("debug");
    }
}
