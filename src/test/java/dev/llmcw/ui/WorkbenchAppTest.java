package dev.llmcw.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.testing.Ui;
import dev.llmcw.ui.task.FxTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Drives the real main window headless (Monocle) with the services of this build. */
@Ui
@ExtendWith(ApplicationExtension.class)
class WorkbenchAppTest {
    @TempDir
    static Path dir;

    private final ScriptedFileDialogs files = new ScriptedFileDialogs();
    private final Preferences prefs = Preferences.userRoot().node("dev/llmcw/workbench/test-" + System.nanoTime());
    private FxTaskExecutor executor;
    private WorkbenchViewModel vm;

    @Start
    void start(Stage stage) {
        executor = new FxTaskExecutor();
        WorkbenchApp.install(
                stage,
                WorkbenchServices.create(dir.resolve("ws"), dir.resolve("ws/results.db")),
                executor,
                files,
                null,
                new RecentModels(prefs));
        vm = (WorkbenchViewModel) stage.getUserData();
        stage.show();
    }

    @AfterEach
    void tearDown() throws Exception {
        executor.shutdown();
        prefs.removeNode();
    }

    @Test
    void opensStories260KAndShowsItsCard(FxRobot robot) throws Exception {
        Path model = TestData.stories260K();
        files.next(model);
        robot.clickOn("#open-model-file");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.session().baseModel() != null);
        WaitForAsyncUtils.waitForFxEvents();
        TableView<?> card = robot.lookup("#model-card").queryAs(TableView.class);
        assertThat(card.getItems().toString())
                .contains("Parameters")
                .contains("llama")
                .contains("value=512");
        assertThat(robot.lookup("#recent-models").queryListView().getItems()).hasSize(1);
        assertThat(((Label) robot.lookup("#status-text").query()).getText()).contains("model:");
    }

    @Test
    void badModelFileShowsErrorDialogAndAppStaysUsable(FxRobot robot) throws Exception {
        Path bad = dir.resolve("garbage.bin");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5, 6, 7});
        files.next(bad);
        robot.clickOn("#open-model-file");
        WaitForAsyncUtils.waitFor(
                20,
                TimeUnit.SECONDS,
                () -> robot.lookup("#error-message").tryQuery().isPresent());
        String msg = ((Label) robot.lookup("#error-message").query()).getText();
        assertThat(msg).contains("garbage.bin");
        robot.clickOn("OK");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(vm.session().baseModel()).isNull();
        // Still usable: navigate and open a good model.
        robot.clickOn("#nav-charts");
        robot.clickOn("#nav-model");
        files.next(TestData.stories260K());
        robot.clickOn("#open-model-file");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.session().baseModel() != null);
    }

    @Test
    void chartsExportFromTheView(FxRobot robot) throws Exception {
        robot.clickOn("#nav-charts");
        Node viewer = robot.lookup("#chart-viewer").query();
        assertThat(viewer.isVisible()).isTrue();
        Path png = dir.resolve("empty-chart.png");
        files.next(png);
        robot.clickOn("#export-button-png");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> Files.exists(png));
        assertThat(Files.size(png)).isGreaterThan(1000);
    }

    @Test
    void suitesViewOpensValidatesTheExampleSuite(FxRobot robot) throws Exception {
        robot.clickOn("#nav-suites");
        files.next(Path.of("src/main/resources/suites/example-suite.yaml"));
        robot.clickOn("#suite-open");
        WaitForAsyncUtils.waitForFxEvents();
        var editor = robot.lookup("#suite-editor").queryAs(javafx.scene.control.TextArea.class);
        assertThat(editor.getText()).contains("name: stories260K-example");
        Label summary = robot.lookup("#suite-summary").queryAs(Label.class);
        assertThat(summary.getText()).isEqualTo("stories260K-example: 1 model(s) × 5 setting(s) × 2 task(s) = 10 runs");
        // an edit that breaks the file: Validate shows the error with the line
        robot.interact(() -> editor.setText(editor.getText().replace("tasks:", "tasks_:")));
        robot.clickOn("#suite-validate");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(summary.getText())
                .startsWith("Invalid:")
                .contains("example-suite.yaml")
                .contains("tasks_");
    }
}
