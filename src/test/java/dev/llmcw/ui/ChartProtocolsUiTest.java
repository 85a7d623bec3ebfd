package dev.llmcw.ui;

import static dev.llmcw.results.StoredRunFixture.base;
import static dev.llmcw.results.StoredRunFixture.compressed;
import static dev.llmcw.results.StoredRunFixture.first;
import static dev.llmcw.results.StoredRunFixture.firstRight;
import static dev.llmcw.results.StoredRunFixture.full;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.testing.Ui;
import dev.llmcw.ui.charts.ChartsViewModel;
import dev.llmcw.ui.task.FxTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.scene.control.ComboBox;
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

/** The Charts view with stored runs of one method at two protocols: the chooser, then a legend naming both. */
@Ui
@ExtendWith(ApplicationExtension.class)
class ChartProtocolsUiTest {
    @TempDir
    static Path dir;

    private final Preferences prefs = Preferences.userRoot().node("dev/llmcw/workbench/protocols-" + System.nanoTime());
    private FxTaskExecutor executor;

    @Start
    void start(Stage stage) throws Exception {
        Path ws = dir.resolve("ws");
        Files.createDirectories(ws);
        try (var store = ResultsStore.open(ws.resolve("results.db"))) {
            base(store, first(50), firstRight(50, 40));
            base(store, full(), firstRight(80, 60));
            compressed(store, "seedlm", Map.of("C", "8"), 4.0, first(50), firstRight(50, 38));
            compressed(store, "seedlm", Map.of("C", "4"), 3.0, first(50), firstRight(50, 30));
            compressed(store, "seedlm", Map.of("C", "8"), 4.0, full(), firstRight(80, 55));
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
    void theLegendNamesBothProtocolsWhenAllAreChosen(FxRobot robot) throws Exception {
        robot.clickOn("#nav-charts");
        @SuppressWarnings("unchecked")
        ComboBox<String> protocol = robot.lookup("#chart-protocol").queryAs(ComboBox.class);
        WaitForAsyncUtils.waitFor(
                30, TimeUnit.SECONDS, () -> protocol.getItems().size() == 3);
        assertThat(protocol.getValue()).isEqualTo("first 50");
        robot.interact(() -> protocol.setValue(ChartsViewModel.ALL_PROTOCOLS));
        var plot = (XYPlot) robot.lookup("#chart-viewer")
                .queryAs(ChartViewer.class)
                .getChart()
                .getPlot();
        var legend = new ArrayList<String>();
        var items = plot.getLegendItems();
        for (int i = 0; i < items.getItemCount(); i++) legend.add(items.get(i).getLabel());
        // each legend entry names its protocol, then the settings of its points
        assertThat(legend)
                .anySatisfy(l -> assertThat(l).startsWith("SeedLM [first 50]"))
                .anySatisfy(l -> assertThat(l).startsWith("SeedLM [full split]"));
    }
}
