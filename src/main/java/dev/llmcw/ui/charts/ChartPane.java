package dev.llmcw.ui.charts;

import dev.llmcw.report.ChartExport;
import dev.llmcw.report.FigureSize;
import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.common.FileDialogs;
import java.nio.file.Path;
import java.util.Locale;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.layout.StackPane;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.Zoomable;

/** A JFreeChart in the UI with tooltips, zoom and a right-click menu exporting PNG, SVG or PDF. */
public final class ChartPane extends StackPane {
    private final ChartViewer viewer = new ChartViewer(null, false);

    private FigureSize figureSize;

    public ChartPane(FileDialogs files, ErrorReporter errors) {
        this(files, errors, "chart-viewer");
    }

    /** @param viewerId the chart viewer's node id (one per chart in the window: tests and styles find it by it) */
    public ChartPane(FileDialogs files, ErrorReporter errors, String viewerId) {
        getStyleClass().add("chart-pane");
        viewer.setId(viewerId);
        getChildren().add(viewer);
        var menu = new ContextMenu();
        for (ChartExport.Format f : ChartExport.Format.values()) {
            var item = new MenuItem("Export as " + f.name() + "…");
            item.setId("export-" + f.extension());
            item.setOnAction(e -> files.saveFile(
                            getScene().getWindow(),
                            "Export chart as " + f.name(),
                            suggestedName() + "." + f.extension(),
                            f.extension())
                    .ifPresent(p -> export(p, errors)));
            menu.getItems().add(item);
        }
        var reset = new MenuItem("Reset zoom");
        reset.setOnAction(e -> {
            if (viewer.getChart() != null) viewer.getChart().getPlot().zoom(0);
            restoreAutoBounds();
        });
        menu.getItems().addAll(new SeparatorMenuItem(), reset);
        viewer.setOnContextMenuRequested(e -> menu.show(viewer, e.getScreenX(), e.getScreenY()));
    }

    private void restoreAutoBounds() {
        if (viewer.getChart() != null && viewer.getChart().getPlot() instanceof Zoomable z) {
            var info = viewer.getRenderingInfo();
            if (info != null) {
                z.zoomDomainAxes(0, info.getPlotInfo(), null);
                z.zoomRangeAxes(0, info.getPlotInfo(), null);
            }
        }
    }

    private String suggestedName() {
        var c = viewer.getChart();
        String t = c == null || c.getTitle() == null ? "chart" : c.getTitle().getText();
        return t.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    /** The printed size exports get; null: the screen size. */
    public void setFigureSize(FigureSize size) {
        this.figureSize = size;
    }

    public void export(Path file, ErrorReporter errors) {
        try {
            if (figureSize != null) ChartExport.write(viewer.getChart(), file, figureSize);
            else ChartExport.write(viewer.getChart(), file, ChartExport.DEFAULT_WIDTH, ChartExport.DEFAULT_HEIGHT);
        } catch (Exception ex) {
            errors.error("Cannot export chart", file + ": " + ErrorReporter.describe(ex));
        }
    }

    public void setChart(JFreeChart chart) {
        viewer.setChart(chart);
    }

    public JFreeChart getChart() {
        return viewer.getChart();
    }

    public ChartViewer viewer() {
        return viewer;
    }
}
