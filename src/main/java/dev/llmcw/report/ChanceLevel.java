package dev.llmcw.report;

import dev.llmcw.eval.TaskDescriptor;
import dev.llmcw.eval.TaskRegistry;
import dev.llmcw.results.PairedTest;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;

/**
 * The chance level on accuracy charts, and a warning when the uncompressed model itself is within noise
 * of it: then no accuracy difference can show what compression costs, while the fidelity metrics (KL,
 * flips, perplexity) still can.
 */
public final class ChanceLevel {
    private ChanceLevel() {}

    private static final Color CHANCE = new Color(0xb0, 0x30, 0x30);

    /** Accuracy of guessing for {@code task}'s {@code metric}, if the task has one and the metric is an accuracy. */
    public static Optional<Double> of(String task, String metric) {
        if (!metric.equals("acc") && !metric.equals("acc_norm")) return Optional.empty();
        return TaskRegistry.find(task).map(TaskDescriptor::chance);
    }

    /**
     * The base runs of {@code task} whose {@code metric} is within noise of chance (two-sided exact binomial
     * test, p ≥ {@link PairedTest#ALPHA}), as "first 100: 0.27 on 100 items, p = 0.49"; runs without an
     * item count are left out.
     */
    public static List<String> baseNearChance(List<RunRow> rows, String task, String metric) {
        var out = new ArrayList<String>();
        Optional<Double> chance = of(task, metric);
        if (chance.isEmpty()) return out;
        for (RunRow r : rows) {
            double v = r.metric(metric);
            if (!r.method().equals("base") || !r.task().equals(task) || Double.isNaN(v) || r.items() <= 0) continue;
            double p = PairedTest.binomialVsChance((int) Math.round(v * r.items()), r.items(), chance.get());
            if (!PairedTest.significant(p)) {
                out.add(String.format(
                        Locale.ROOT,
                        "%s%s on %d items, p = %.2g",
                        r.protocol().isEmpty() ? "" : r.protocol() + ": ",
                        Formats.value(v),
                        r.items(),
                        p));
            }
        }
        return out;
    }

    /** Draws the chance line on an accuracy chart and says under the title when the base model is near chance. */
    public static JFreeChart decorate(JFreeChart chart, String task, String metric, List<RunRow> rows) {
        Optional<Double> chance = of(task, metric);
        if (chance.isEmpty() || !(chart.getPlot() instanceof XYPlot plot)) return chart;
        var m = new ValueMarker(
                chance.get(),
                CHANCE,
                new BasicStroke(
                        1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 3f, 1f, 3f}, 0f));
        m.setLabel("chance: " + Formats.value(chance.get()));
        m.setLabelFont(new Font(WorkbenchCharts.FONT, Font.PLAIN, 11));
        m.setLabelPaint(CHANCE);
        m.setLabelAnchor(RectangleAnchor.BOTTOM_RIGHT);
        m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
        plot.addRangeMarker(m, Layer.BACKGROUND); // behind the points, apart from the uncompressed reference lines
        // markers take no part in auto-ranging: keep the line in view
        var axis = plot.getRangeAxis();
        if (axis != null && !axis.getRange().contains(chance.get())) {
            double lo = Math.min(axis.getLowerBound(), chance.get()), hi = Math.max(axis.getUpperBound(), chance.get());
            double pad = 0.05 * (hi - lo);
            axis.setRange(lo - pad, hi + pad);
        }
        List<String> near = baseNearChance(rows, task, metric);
        if (!near.isEmpty()) {
            var t = new TextTitle(
                    "the uncompressed model is within noise of chance (" + String.join("; ", near)
                            + "): accuracy cannot show what compression costs here; see KL, flips and perplexity",
                    new Font(WorkbenchCharts.FONT, Font.BOLD, 12));
            t.setPaint(CHANCE);
            chart.addSubtitle(t);
        }
        return chart;
    }
}
