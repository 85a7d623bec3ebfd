package dev.llmcw.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The fine-tuning loss chart: training loss per optimizer step (a line) and held-out loss at each evaluation
 * (points joined), x = step. The series are the caller's, so points added to them redraw the chart live.
 */
public final class LossCharts {
    public static final String TRAIN = "training loss", HELD_OUT = "held-out loss";

    private LossCharts() {}

    /** Empty training and held-out series, in the order {@link #chart} draws them. */
    public static XYSeriesCollection series() {
        var c = new XYSeriesCollection();
        // autoSort on, duplicates off: a resumed run re-reporting a step replaces the point instead of adding one
        c.addSeries(new XYSeries(TRAIN, true, false));
        c.addSeries(new XYSeries(HELD_OUT, true, false));
        return c;
    }

    public static JFreeChart chart(String title, XYSeriesCollection losses) {
        var x = new NumberAxis("Optimizer step");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        var y = new NumberAxis("Loss (cross-entropy, nats/token)");
        y.setAutoRangeIncludesZero(false);
        var r = new XYLineAndShapeRenderer(true, true);
        r.setSeriesPaint(0, new Color(0x1f, 0x77, 0xb4));
        r.setSeriesStroke(0, new BasicStroke(1.4f));
        r.setSeriesShapesVisible(0, false);
        r.setSeriesPaint(1, new Color(0xd6, 0x27, 0x28));
        r.setSeriesStroke(1, new BasicStroke(1.8f));
        r.setSeriesShape(1, new Ellipse2D.Double(-4, -4, 8, 8));
        var plot = new XYPlot(losses, x, y, r);
        plot.setNoDataMessage("No steps yet: start a fine-tuning run");
        var chart = new JFreeChart(title, new Font(WorkbenchCharts.FONT, Font.BOLD, 15), plot, true);
        WorkbenchCharts.style(chart);
        return chart;
    }
}
