package dev.llmcw.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.app.CompressionService;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.report.ChartFiles;
import dev.llmcw.testing.Ui;
import dev.llmcw.ui.jobs.JobState;
import dev.llmcw.ui.task.FxTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.scene.control.ComboBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The whole workflow through the real window and the real layers: open stories260K → SeedLM 4-bit →
 * PIQA with a limit → a point on the chart → export PNG, SVG and PDF; and cancelling a running job. (A bad
 * model file → error dialog → the app stays usable is in WorkbenchAppTest; the same flow on the DEMO
 * workspace, without shared data, is DemoWorkflowUiTest.)
 */
@Ui
@ExtendWith(ApplicationExtension.class)
class WorkflowUiTest {
    @TempDir
    static Path dir;

    private final ScriptedFileDialogs files = new ScriptedFileDialogs();
    private final Preferences prefs = Preferences.userRoot().node("dev/llmcw/workbench/flow-" + System.nanoTime());
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

    private void requireLayers() {
        Assumptions.assumeTrue(
                vm.compress().methods().stream().anyMatch(m -> m.name().equals("seedlm") && m.available()),
                "SeedLM is not in this build");
        Assumptions.assumeTrue(
                vm.evaluate().tasks().stream()
                        .anyMatch(
                                t -> t.info().name().equals("piqa") && t.info().available()),
                "PIQA evaluation is not in this build");
    }

    private void openStories(FxRobot robot) throws Exception {
        files.next(TestData.stories260K());
        robot.clickOn("#nav-model").clickOn("#open-model-file");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.session().baseModel() != null);
    }

    @Test
    void compressEvaluateChartExport(FxRobot robot) throws Exception {
        requireLayers();
        openStories(robot);
        robot.clickOn("#nav-compress");
        robot.interact(() -> {
            @SuppressWarnings("unchecked")
            var method = (ComboBox<CompressionService.MethodInfo>)
                    robot.lookup("#method-choice").query();
            method.getSelectionModel()
                    .select(method.getItems().stream()
                            .filter(m -> m.name().equals("seedlm"))
                            .findFirst()
                            .orElseThrow());
            var preset = (ComboBox<?>) robot.lookup("#preset-choice").query();
            preset.getSelectionModel().select(0); // 4-bit (C=8, P=3, K=16)
        });
        WaitForAsyncUtils.waitFor(
                30,
                TimeUnit.SECONDS,
                () -> vm.compress().estimateValueProperty().get() != null);
        double bits = vm.compress().estimateValueProperty().get().bitsPerCompressedWeight();
        assertThat(bits).isBetween(4.0, 4.1); // 32 bits per 8-weight block, plus padding of partial blocks
        assertThat(robot.lookup("#size-estimate").queryLabeled().getText())
                .startsWith(String.format(Locale.ROOT, "%.3f bits/weight", bits));
        // Also 4 bits/weight, (8 + 4 + 4·1) / 4, but a 2^8-seed search instead of 2^16: the paper's K=16
        // preset takes minutes on two cores, too long for a UI test. Typed into the advanced knobs.
        robot.clickOn("#advanced-toggle");
        // a knob with fixed values is a choice box
        javafx.scene.control.ComboBox<?> rule =
                robot.lookup("#param-exponent_rule").queryAs(javafx.scene.control.ComboBox.class);
        assertThat(rule.getItems().stream().map(Object::toString).toList()).containsExactly("range", "printed");
        assertThat(rule.getValue()).isEqualTo("range");
        for (String[] kv : new String[][] {{"C", "4"}, {"P", "1"}, {"K", "8"}}) {
            robot.interact(() -> ((javafx.scene.control.TextField)
                            robot.lookup("#param-" + kv[0]).query())
                    .setText(kv[1]));
        }
        WaitForAsyncUtils.waitFor(
                30,
                TimeUnit.SECONDS,
                () -> vm.compress().estimateValueProperty().get() != null
                        && vm.compress().currentValues().get("K").equals("8"));
        assertThat(vm.compress().presetProperty().get()).isNull(); // custom setting
        assertThat(vm.compress().estimateValueProperty().get().bitsPerCompressedWeight())
                .isBetween(4.0, 4.1);
        robot.clickOn("#compress-button");
        WaitForAsyncUtils.waitFor(
                300, TimeUnit.SECONDS, () -> vm.session().models().size() == 2);

        robot.clickOn("#nav-evaluate");
        robot.clickOn("#task-piqa");
        robot.interact(() -> vm.evaluate().limitProperty().set(20));
        robot.clickOn("#run-eval");
        WaitForAsyncUtils.waitFor(
                300,
                TimeUnit.SECONDS,
                () -> vm.jobs().jobs().stream()
                                .filter(j -> j.kind().equals("evaluate"))
                                .allMatch(j -> j.state().finished())
                        && !vm.results().runs().isEmpty());
        assertThat(vm.jobs().jobs()).allMatch(j -> j.state() == JobState.DONE, "all jobs done");
        WaitForAsyncUtils.waitFor(
                30, TimeUnit.SECONDS, () -> vm.results().runs().size() >= 2);

        robot.clickOn("#nav-charts");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(vm.charts().taskProperty().get()).isEqualTo("piqa");
        assertThat(vm.charts().statusProperty().get()).startsWith("2 points");
        Path png = dir.resolve("flow.png"), svg = dir.resolve("flow.svg"), pdf = dir.resolve("flow.pdf");
        files.next(png);
        robot.clickOn("#export-button-png");
        files.next(svg);
        robot.clickOn("#export-button-svg");
        files.next(pdf);
        robot.clickOn("#export-button-pdf");
        WaitForAsyncUtils.waitFor(
                20, TimeUnit.SECONDS, () -> Files.exists(png) && Files.exists(svg) && Files.exists(pdf));
        ChartFiles.assertValidPng(png, 960);
        ChartFiles.assertValidPdf(pdf);
        var doc = ChartFiles.assertValidSvg(svg);
        assertThat(doc.getDocumentElement().getTextContent())
                .contains("SeedLM C4 P1 K8")
                .contains("piqa");
    }

    @Test
    void cancelARunningJob(FxRobot robot) throws Exception {
        requireLayers();
        openStories(robot);
        robot.clickOn("#nav-evaluate");
        robot.clickOn("#task-piqa");
        robot.interact(() -> vm.evaluate().limitProperty().set(0)); // all 1838 items: long enough to cancel
        robot.clickOn("#run-eval");
        WaitForAsyncUtils.waitFor(
                60, TimeUnit.SECONDS, () -> vm.jobs().jobs().stream().anyMatch(j -> j.state() == JobState.RUNNING));
        robot.clickOn("#nav-jobs");
        robot.interact(() ->
                robot.lookup("#jobs-table").queryTableView().getSelectionModel().select(0));
        robot.clickOn("#cancel-job");
        WaitForAsyncUtils.waitFor(
                60, TimeUnit.SECONDS, () -> vm.jobs().jobs().getFirst().state() == JobState.CANCELLED);
        assertThat(robot.lookup("#resume-job").query().isDisabled()).isFalse();
    }
}
