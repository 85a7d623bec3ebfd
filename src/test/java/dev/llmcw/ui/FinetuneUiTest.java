package dev.llmcw.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.report.LossCharts;
import dev.llmcw.testing.Ui;
import dev.llmcw.ui.charts.ChartPane;
import dev.llmcw.ui.common.FitScroll;
import dev.llmcw.ui.finetune.FinetuneFixture;
import dev.llmcw.ui.finetune.FinetunePane;
import dev.llmcw.ui.jobs.JobState;
import dev.llmcw.ui.task.FxTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.stage.Stage;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The fine-tuning step in the window at 1024×700: CALDERA rank 8, ft_rank 8 on stories260K compressed from the
 * Compress form, "Fine-tune…" clicked, and the loss chart holding a point per step and per evaluation while the
 * run goes and after it. {@code -Dscreenshots.out=DIR} saves DIR/17-finetune-loss.png.
 */
@Ui
@ExtendWith(ApplicationExtension.class)
class FinetuneUiTest {
    @TempDir
    static Path dir;

    private final Preferences prefs =
            Preferences.userRoot().node("dev/llmcw/workbench/finetuneui-" + System.nanoTime());
    private FxTaskExecutor executor;
    private WorkbenchViewModel vm;
    private MainWindow window;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        executor = new FxTaskExecutor();
        window = WorkbenchApp.install(
                stage,
                WorkbenchServices.create(dir.resolve("ws"), dir.resolve("ws/results.db")),
                executor,
                new ScriptedFileDialogs(),
                null,
                new RecentModels(prefs));
        vm = (WorkbenchViewModel) stage.getUserData();
        stage.setWidth(1024);
        stage.setHeight(700);
        stage.show();
    }

    @AfterEach
    void tearDown() throws Exception {
        executor.shutdown();
        prefs.removeNode();
    }

    @Test
    void theLossChartShowsTheStepsOfAShortRun(FxRobot robot) throws Exception {
        Path[] texts = FinetuneFixture.texts(dir);
        robot.interact(() -> vm.model().open(TestData.stories260K()));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.session().baseModel() != null);
        robot.interact(() -> {
            window.show(MainWindow.Page.COMPRESS);
            FinetuneFixture.compressCaldera(vm, texts[0]);
        });
        WaitForAsyncUtils.waitFor(
                300, TimeUnit.SECONDS, () -> vm.finetune().modelProperty().get() != null);

        robot.interact(() -> {
            window.show(MainWindow.Page.COMPRESS);
            FinetuneFixture.shortSchedule(vm.finetune(), texts);
            // 12 steps, the held-out loss every 3: enough of a curve to see it fall
            vm.finetune().trainBlocksProperty().set("12");
            vm.finetune().evalEveryProperty().set("3");
        });
        // the block-wise switches: a ticked box asks for the development text; unticked again, the form is valid
        CheckBox blockwiseNorms = robot.lookup("#finetune-blockwise-norms").queryAs(CheckBox.class);
        assertThat(robot.lookup("#finetune-blockwise-hadamard").tryQuery()).isPresent();
        assertThat(robot.lookup("#finetune-end-to-end").queryAs(CheckBox.class).isSelected())
                .isTrue();
        robot.interact(() -> FitScroll.reveal(blockwiseNorms));
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn(blockwiseNorms);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(vm.finetune().blockwiseNormsProperty().get()).isTrue();
        assertThat(vm.finetune().validationProperty().get()).startsWith("Development text is required");
        robot.clickOn(blockwiseNorms);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(vm.finetune().blockwiseNormsProperty().get()).isFalse();

        Node button = robot.lookup("#finetune-button").query();
        robot.interact(() -> FitScroll.reveal(button));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(button.isDisabled())
                .as(vm.finetune().validationProperty().get())
                .isFalse();
        robot.clickOn(button);
        WaitForAsyncUtils.waitFor(
                300, TimeUnit.SECONDS, () -> vm.jobs().jobs().getLast().state().finished());
        var job = vm.jobs().jobs().getLast();
        assertThat(job.kind()).isEqualTo("finetune");
        assertThat(job.state()).as(job.errorProperty().get()).isEqualTo(JobState.DONE);
        WaitForAsyncUtils.waitForFxEvents();

        FinetunePane pane = robot.lookup("#finetune-pane").queryAs(FinetunePane.class);
        var series = pane.series();
        assertThat(series.getSeries(0).getKey()).isEqualTo(LossCharts.TRAIN);
        assertThat(series.getSeries(0).getItemCount()).isEqualTo(12);
        assertThat(series.getSeries(1).getItemCount()).isEqualTo(5); // before training, then steps 3, 6, 9, 12
        assertThat(series.getSeries(1).getX(0).intValue()).isEqualTo(0);
        assertThat(series.getSeries(1).getX(4).intValue()).isEqualTo(12);
        assertThat(series.getSeries(1).getY(4).doubleValue())
                .as("the held-out loss fell")
                .isLessThan(series.getSeries(1).getY(0).doubleValue());
        ChartPane chart = robot.lookup("#finetune-loss-chart").queryAs(ChartPane.class);
        assertThat(((XYPlot) chart.getChart().getPlot()).getDataset()).isSameAs(series);
        assertThat(vm.session().models().getLast().name()).endsWith("· fine-tuned");
        assertThat(vm.finetune().summaryProperty().get()).contains("held-out loss");

        robot.interact(() -> FitScroll.reveal(chart));
        WaitForAsyncUtils.waitForFxEvents();
        String out = System.getProperty("screenshots.out");
        if (out != null && !out.isBlank()) {
            Files.createDirectories(Path.of(out));
            ScreenshotsTest.snap(stage, Path.of(out, "17-finetune-loss.png"));
        }
    }
}
