package dev.llmcw.ui;

import static dev.llmcw.results.StoredRunFixture.base;
import static dev.llmcw.results.StoredRunFixture.compressed;
import static dev.llmcw.results.StoredRunFixture.first;
import static dev.llmcw.results.StoredRunFixture.firstRight;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.engine.DeploymentProbe;
import dev.llmcw.results.DeploymentRecord;
import dev.llmcw.results.MachineInfo;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.testing.Ui;
import dev.llmcw.ui.charts.ChartsViewModel;
import dev.llmcw.ui.task.FxTaskExecutor;
import dev.llmcw.util.Parallel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The deployment view: stored runs charted against their models' decode speed and memory on this machine. */
@Ui
@ExtendWith(ApplicationExtension.class)
class DeploymentChartUiTest {
    @TempDir
    static Path dir;

    private final Preferences prefs = Preferences.userRoot().node("dev/llmcw/workbench/deploy-" + System.nanoTime());
    private FxTaskExecutor executor;

    private static void deployed(ResultsStore store, String hash, double decodeTokS, long bytes) {
        store.saveDeployment(new DeploymentRecord(
                hash,
                MachineInfo.current().cpu(),
                Parallel.threads(),
                DeploymentProbe.PROTOCOL,
                Instant.now(),
                10 * decodeTokS,
                decodeTokS,
                bytes,
                bytes / 10,
                -1));
    }

    @Start
    void start(Stage stage) throws Exception {
        Path ws = dir.resolve("ws");
        Files.createDirectories(ws);
        try (var store = ResultsStore.open(ws.resolve("results.db"))) {
            base(store, first(50), firstRight(50, 40));
            compressed(store, "rtn", Map.of("bits", "4"), 4.6, first(50), firstRight(50, 38));
            compressed(store, "seedlm", Map.of("C", "8"), 4.0, first(50), firstRight(50, 39));
            compressed(store, "gptq", Map.of("bits", "3"), 3.6, first(50), firstRight(50, 35)); // never measured
            deployed(store, "base-hash", 40, 4_000_000);
            deployed(store, "rtn{bits=4}4.6", 90, 1_300_000);
            deployed(store, "seedlm{C=8}4.0", 20, 1_100_000);
        }
        executor = new FxTaskExecutor();
        WorkbenchApp.install(
                stage,
                WorkbenchServices.create(ws, ws.resolve("results.db")),
                executor,
                new ScriptedFileDialogs(),
                null,
                new RecentModels(prefs));
        stage.show();
    }

    @AfterEach
    void tearDown() throws Exception {
        executor.shutdown();
        prefs.removeNode();
    }

    @Test
    void accuracyAgainstDecodeSpeedAndMemory(FxRobot robot) throws Exception {
        robot.clickOn("#nav-charts");
        @SuppressWarnings("unchecked")
        ComboBox<ChartsViewModel.Kind> kind = robot.lookup("#chart-kind").queryAs(ComboBox.class);
        WaitForAsyncUtils.waitFor(
                30,
                TimeUnit.SECONDS,
                () -> robot.lookup("#chart-task").queryAs(ComboBox.class).getValue() != null);
        robot.interact(() -> kind.setValue(ChartsViewModel.Kind.METRIC_VS_DECODE));
        var plot = (XYPlot) robot.lookup("#chart-viewer")
                .queryAs(ChartViewer.class)
                .getChart()
                .getPlot();
        assertThat(plot.getDomainAxis().getLabel()).isEqualTo("Decode tokens/s on this machine");
        var xs = new TreeSet<Double>();
        var data = plot.getDataset(0);
        for (int s = 0; s < data.getSeriesCount(); s++)
            for (int i = 0; i < data.getItemCount(s); i++) xs.add(data.getXValue(s, i));
        assertThat(xs).containsExactly(20.0, 40.0, 90.0);
        assertThat(robot.lookup("#chart-status").queryAs(Label.class).getText())
                .startsWith("3 points")
                .contains("1 runs left out");

        robot.interact(() -> kind.setValue(ChartsViewModel.Kind.METRIC_VS_MEMORY));
        var memory = (XYPlot) robot.lookup("#chart-viewer")
                .queryAs(ChartViewer.class)
                .getChart()
                .getPlot();
        assertThat(memory.getDomainAxis().getLabel()).startsWith("Memory to run it");
    }
}
