package dev.llmcw.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.compress.seedlm.SeedLmDescriptor;
import dev.llmcw.report.ChartFiles;
import dev.llmcw.report.ReferencePoints;
import dev.llmcw.testing.Ui;
import dev.llmcw.ui.jobs.JobState;
import dev.llmcw.ui.task.FxTaskExecutor;
import dev.llmcw.ui.task.SynchronousTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.assertj.core.data.Offset;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The first-start DEMO workspace end to end, through the real window and the real layers, with no
 * shared data and no download: Start DEMO (SYNTHETIC model + the repository's sample datasets) →
 * SeedLM 4-bit → PIQA samples with a limit → the point on the accuracy-vs-bits chart → a paper point
 * typed in → export PNG, SVG and PDF and a report → the paper point is still there after a restart.
 */
@Ui
@ExtendWith(ApplicationExtension.class)
class DemoWorkflowUiTest {
    @TempDir
    static Path dir;

    private final ScriptedFileDialogs files = new ScriptedFileDialogs();
    private final Preferences prefs = Preferences.userRoot().node("dev/llmcw/workbench/demo-" + System.nanoTime());
    private FxTaskExecutor executor;
    private WorkbenchViewModel vm;

    private static Path workspace() {
        return dir.resolve("ws");
    }

    @Start
    void start(Stage stage) {
        executor = new FxTaskExecutor();
        WorkbenchApp.install(
                stage,
                WorkbenchServices.create(workspace(), workspace().resolve("results.db")),
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
    void demoWorkspaceCompressEvaluateChartExport(FxRobot robot) throws Exception {
        // First start: the Model view points at the demo.
        assertThat(robot.lookup("#first-start").queryAs(Label.class).isVisible())
                .isTrue();
        assertThat(robot.lookup("#demo-badge").query().isVisible()).isFalse();
        robot.clickOn("#start-demo");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.session().baseModel() != null);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#demo-badge").query().isVisible()).isTrue();
        assertThat(robot.lookup("#model-title").queryAs(Label.class).getText()).contains("SYNTHETIC");
        assertThat(robot.lookup("#first-start").queryAs(Label.class).isVisible())
                .isFalse();
        assertThat(vm.evaluate().dataDirProperty().get()).isEqualTo(WorkbenchServices.samplesDir());

        // Compress: the demo preselects SeedLM 4-bit with the quick seed search.
        robot.clickOn("#nav-compress");
        assertThat(vm.compress().methodProperty().get().name()).isEqualTo("seedlm");
        assertThat(vm.compress().presetProperty().get().label()).isEqualTo(SeedLmDescriptor.QUICK_4BIT);
        WaitForAsyncUtils.waitFor(
                30,
                TimeUnit.SECONDS,
                () -> vm.compress().estimateValueProperty().get() != null);
        double bits = vm.compress().estimateValueProperty().get().bitsPerCompressedWeight();
        assertThat(bits).isBetween(4.0, 4.1); // (8 + 4 + 4) / 4 per block; 344-wide rows need no padding, 128-wide none
        robot.clickOn("#compress-button");
        WaitForAsyncUtils.waitFor(
                300,
                TimeUnit.SECONDS,
                () -> vm.session().models().size() == 2
                        || vm.jobs().jobs().stream().anyMatch(j -> j.state() == JobState.FAILED));
        assertThat(vm.jobs().jobs()).allMatch(j -> j.state() == JobState.DONE, "generate + compress done");

        // Evaluate: PIQA (preselected) on the repository's 12 sample items, limit 8, base and compressed.
        robot.clickOn("#nav-evaluate");
        assertThat(robot.lookup("#task-piqa")
                        .queryAs(javafx.scene.control.CheckBox.class)
                        .isSelected())
                .isTrue();
        robot.interact(() -> vm.evaluate().limitProperty().set(8));
        robot.clickOn("#run-eval");
        WaitForAsyncUtils.waitFor(
                300,
                TimeUnit.SECONDS,
                () -> vm.jobs().jobs().stream().allMatch(j -> j.state().finished())
                        && vm.results().runs().size() >= 2);
        assertThat(vm.jobs().jobs()).allMatch(j -> j.state() == JobState.DONE, "all jobs done");
        assertThat(vm.results().runs()).hasSize(2).allSatisfy(r -> {
            assertThat(r.task()).isEqualTo("piqa");
            assertThat(r.model()).contains("SYNTHETIC");
        });

        // Chart: the SeedLM point at ~4 bits, the uncompressed model as the reference line.
        robot.clickOn("#nav-charts");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(vm.charts().taskProperty().get()).isEqualTo("piqa");
        assertThat(vm.charts().statusProperty().get()).startsWith("2 points");
        var chart = robot.lookup("#chart-viewer").queryAs(ChartViewer.class).getChart();
        var plot = (XYPlot) chart.getPlot();
        assertThat(plot.getDataset(0).getSeriesKey(0)).isEqualTo("seedlm");
        assertThat(plot.getDataset(0).getXValue(0, 0)).isCloseTo(bits, Offset.offset(0.01));
        assertThat(plot.getRangeMarkers(Layer.FOREGROUND)).hasSize(1); // uncompressed reference
        assertThat(chart.getSubtitles())
                .anyMatch(t -> t instanceof TextTitle tt && tt.getText().contains("SYNTHETIC"));

        // A paper-reported point typed into the form: its own labelled series, saved in the workspace.
        robot.clickOn("#paper-add");
        assertThat(robot.lookup("#paper-error").queryAs(Label.class).getText())
                .isEqualTo("bits and value must be numbers");
        robot.interact(() -> {
            text(robot, "#paper-source").setText("SeedLM paper, Table 2");
            text(robot, "#paper-method").setText("SeedLM");
            text(robot, "#paper-bits").setText("4");
            text(robot, "#paper-value").setText("0.79");
        });
        robot.clickOn("#paper-add");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#paper-error").queryAs(Label.class).getText()).isEmpty();
        assertThat(vm.charts().statusProperty().get()).isEqualTo("2 points + 1 paper-reported");
        var withPaper = (XYPlot) vm.charts().chartProperty().get().getPlot();
        assertThat(withPaper.getDataset(2).getSeriesKey(0)).isEqualTo("paper: SeedLM");
        assertThat(withPaper.getDataset(2).getYValue(0, 0)).isEqualTo(0.79);
        assertThat(ReferencePoints.read(workspace().resolve(ReferencePoints.FILE_NAME)))
                .singleElement()
                .satisfies(p -> assertThat(p.task() + " " + p.metric() + " " + p.value())
                        .isEqualTo("piqa acc 0.79"));

        // Export the chart in all three formats from the toolbar.
        Path png = dir.resolve("demo.png"), svg = dir.resolve("demo.svg"), pdf = dir.resolve("demo.pdf");
        for (Path p : List.of(png, svg, pdf)) {
            files.next(p);
            robot.clickOn("#export-button-" + p.getFileName().toString().substring(5));
        }
        WaitForAsyncUtils.waitFor(
                30, TimeUnit.SECONDS, () -> Files.exists(png) && Files.exists(svg) && Files.exists(pdf));
        ChartFiles.assertValidPng(png, 960);
        String svgText = ChartFiles.assertValidSvg(svg).getDocumentElement().getTextContent();
        assertThat(svgText)
                .contains("piqa: acc vs bits per weight")
                .contains("SeedLM C4 P1 K8")
                .contains("paper: SeedLM")
                .contains("SYNTHETIC");
        ChartFiles.assertValidPdf(pdf);

        // A report of every run (nothing selected) carries the paper point in its tables and data.
        Path report = dir.resolve("report");
        files.next(report);
        robot.clickOn("#nav-results").clickOn("#report-selected");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> Files.exists(report.resolve("report.html")));
        robot.clickOn("OK");
        assertThat(Files.readString(report.resolve("report.md")))
                .contains("SeedLM paper, Table 2")
                .contains("0.7900");
        assertThat(Files.readString(report.resolve("paper-points.csv")))
                .contains("\"SeedLM paper, Table 2\",SeedLM,piqa,acc,4.0,0.79");
        assertThat(Files.readString(report.resolve("charts/piqa-acc-vs-bits.svg")))
                .contains("paper: SeedLM");

        // "Restart": a new session over the same workspace and results database has the point and the runs.
        var errors = new ArrayList<String>();
        var again = new WorkbenchViewModel(
                WorkbenchServices.create(workspace(), workspace().resolve("results.db")),
                new SynchronousTaskExecutor(),
                (t, m) -> errors.add(t + ": " + m),
                new RecentModels(prefs));
        assertThat(errors).isEmpty();
        assertThat(again.charts().paperPoints())
                .singleElement()
                .satisfies(p -> assertThat(p.source()).isEqualTo("SeedLM paper, Table 2"));
        assertThat(again.charts().statusProperty().get()).isEqualTo("2 points + 1 paper-reported");
    }

    private static TextField text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(TextField.class);
    }
}
