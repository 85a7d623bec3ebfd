package dev.llmcw.report;

import dev.llmcw.compress.MethodDescriptor;
import dev.llmcw.compress.MethodRegistry;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.math.BigDecimal;
import java.math.MathContext;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.labels.StandardCategoryToolTipGenerator;
import org.jfree.chart.labels.XYToolTipGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The workbench's charts, built from plain records so the GUI, the CLI report and tests draw the
 * same thing. Every chart: title, axis labels with units, a legend, one series per method, tooltips
 * carrying the full settings of each point.
 */
public final class WorkbenchCharts {
    private WorkbenchCharts() {}

    /** What the x axis shows. */
    public enum XAxisKind {
        BITS_PER_WEIGHT("Bits per weight (compressed tensors)"),
        MODEL_SIZE_MB("Model size (MB, log scale)"),
        DECODE_TOK_S("Decode tokens/s on this machine"),
        MEMORY_MB("Memory to run it: weights + KV cache (MB, log scale)");

        final String label;

        XAxisKind(String label) {
            this.label = label;
        }

        double of(ChartPoint p) {
            return switch (this) {
                case BITS_PER_WEIGHT -> p.bitsPerWeight();
                case MODEL_SIZE_MB -> p.totalBytes() < 0 ? Double.NaN : p.totalBytes() / 1e6;
                case DECODE_TOK_S -> p.decodeTokS();
                case MEMORY_MB -> p.memoryBytes() < 0 ? Double.NaN : p.memoryBytes() / 1e6;
            };
        }

        /** Megabyte axes are logarithmic (models differ by orders of magnitude). */
        boolean logScale() {
            return this == MODEL_SIZE_MB || this == MEMORY_MB;
        }

        /** More is better on this axis (speed); on the others less is better (bits, bytes). */
        boolean moreIsBetter() {
            return this == DECODE_TOK_S;
        }

        /** What "better" means along x, for the Pareto note. */
        String better() {
            return switch (this) {
                case BITS_PER_WEIGHT -> "fewer bits";
                case MODEL_SIZE_MB, MEMORY_MB -> "fewer bytes";
                case DECODE_TOK_S -> "faster";
            };
        }
    }

    static final String FONT = "DejaVu Sans";
    private static final Color BASE = new Color(0x33, 0x33, 0x33);
    private static final Color[] EXTRA = {
        new Color(0x94, 0x67, 0xbd),
        new Color(0x8c, 0x56, 0x4b),
        new Color(0xe3, 0x77, 0xc2),
        new Color(0x17, 0xbe, 0xcf),
        new Color(0xbc, 0xbd, 0x22)
    };
    /** The suffix of a fine-tuned model's series ({@link ChartPoints#series}). */
    static final String ADAPTED = " (adapted)";

    static final Color FRONTIER = new Color(0x55, 0x55, 0x55);

    /**
     * Colour of a method, stable across charts ("paper: SeedLM" takes SeedLM's colour): the one its
     * {@link MethodDescriptor} names, else one from a palette picked by the name.
     */
    public static Color colour(String method) {
        String key = method.toLowerCase(Locale.ROOT).replace("paper: ", "").trim();
        if (key.indexOf(' ') > 0) key = key.substring(0, key.indexOf(' ')); // "seedlm C=8 …" → seedlm
        if (key.equals("base")) return BASE;
        int rgb = MethodRegistry.find(key).map(MethodDescriptor::colour).orElse(-1);
        if (rgb >= 0) return new Color(rgb);
        return EXTRA[Math.floorMod(key.hashCode(), EXTRA.length)];
    }

    /** Accuracy-style metric against bits per weight, with error bars and the Pareto frontier. */
    public static JFreeChart accuracyVsBits(
            String task, String metric, List<ChartPoint> points, List<ReferencePoint> paper) {
        return scatter(
                task + ": " + metric + " vs bits per weight",
                metricAxisLabel(metric),
                points,
                paper,
                XAxisKind.BITS_PER_WEIGHT,
                ChartPoints.higherIsBetter(metric));
    }

    /** Names the model family whose runs a chart shows, under its title (exported charts carry it). */
    public static JFreeChart withModel(JFreeChart chart, String model) {
        chart.addSubtitle(new TextTitle("model: " + model, new Font(FONT, Font.PLAIN, 12)));
        return chart;
    }

    /** Accuracy-style metric against total model size (MB, log axis). */
    public static JFreeChart accuracyVsSize(String task, String metric, List<ChartPoint> points) {
        return scatter(
                task + ": " + metric + " vs model size",
                metricAxisLabel(metric),
                points,
                List.of(),
                XAxisKind.MODEL_SIZE_MB,
                ChartPoints.higherIsBetter(metric));
    }

    /**
     * A metric against how the model runs on this machine: decode tokens/s ({@link XAxisKind#DECODE_TOK_S})
     * or the memory it needs ({@link XAxisKind#MEMORY_MB}); runs whose model was not measured are left out.
     */
    public static JFreeChart metricVsDeployment(String task, String metric, List<ChartPoint> points, XAxisKind xKind) {
        String what = xKind == XAxisKind.DECODE_TOK_S ? "decode speed" : "memory";
        return scatter(
                task + ": " + metric + " vs " + what,
                metricAxisLabel(metric),
                points,
                List.of(),
                xKind,
                ChartPoints.higherIsBetter(metric));
    }

    /** Perplexity, KL or any lower-is-better metric against bits per weight. */
    public static JFreeChart metricVsBits(
            String task, String metric, List<ChartPoint> points, List<ReferencePoint> paper) {
        return scatter(
                task + ": " + metric + " vs bits per weight",
                metricAxisLabel(metric),
                points,
                paper,
                XAxisKind.BITS_PER_WEIGHT,
                ChartPoints.higherIsBetter(metric));
    }

    /** Axis label with the unit or range of a metric. */
    public static String metricAxisLabel(String metric) {
        return switch (metric) {
            case "acc" -> "Accuracy (acc, fraction correct)";
            case "acc_norm" -> "Accuracy (acc_norm, length-normalised)";
            case "word_perplexity" -> "Word perplexity (lower is better)";
            case "byte_perplexity" -> "Byte perplexity (lower is better)";
            case "bits_per_byte" -> "Bits per byte (lower is better)";
            case "perplexity" -> "Perplexity (lower is better)";
            case "kl_mean" -> "KL(base ‖ compressed), mean nats/token";
            case "kl_median" -> "KL(base ‖ compressed), median nats/token";
            case "kl_p99" -> "KL(base ‖ compressed), 99th pct nats/token";
            case "top1_agreement" -> "Top-1 agreement with base (fraction)";
            case "flips" -> "Flipped answers vs base (count)";
            default -> metric;
        };
    }

    /** Generic scatter: one series per method, optional error bars, Pareto frontier, paper overlay. */
    public static JFreeChart scatter(
            String title,
            String yLabel,
            List<ChartPoint> points,
            List<ReferencePoint> paper,
            XAxisKind xKind,
            boolean higherIsBetter) {
        ToDoubleFunction<ChartPoint> x = xKind::of;
        // On bits axes the uncompressed model (16/32 bits) would squeeze every compressed point into the
        // left edge: it is drawn as a horizontal reference line instead, as papers do.
        List<ChartPoint> baseLines = xKind == XAxisKind.BITS_PER_WEIGHT
                ? points.stream()
                        .filter(p -> p.method().equals("base") && !Double.isNaN(p.value()))
                        .toList()
                : List.of();
        if (!baseLines.isEmpty())
            points = points.stream().filter(p -> !p.method().equals("base")).toList();
        List<String> protocols = ChartProtocols.of(
                baseLines.isEmpty()
                        ? points
                        : Stream.concat(points.stream(), baseLines.stream()).toList(),
                ChartPoint::protocol);
        boolean mixed = protocols.size() > 1;
        var byMethod = new TreeMap<String, List<ChartPoint>>(
                Comparator.comparing(WorkbenchCharts::methodOrder).thenComparing(Comparator.naturalOrder()));
        for (ChartPoint p : points) {
            double xv = x.applyAsDouble(p);
            if (Double.isNaN(xv) || Double.isNaN(p.value())) continue;
            if (xKind.logScale() && xv <= 0) continue;
            byMethod.computeIfAbsent(ChartProtocols.series(p, mixed), k -> new ArrayList<>())
                    .add(p);
        }
        var measured = new YIntervalSeriesCollection();
        var measuredLabels = new ArrayList<List<String>>();
        var legendEntries = new ArrayList<String>();
        for (var e : byMethod.entrySet()) {
            var sorted = new ArrayList<>(e.getValue());
            sorted.sort(Comparator.comparingDouble(x));
            legendEntries.add(LegendSettings.entry(
                    e.getKey(), sorted.stream().map(ChartPoint::settings).toList()));
            var s = new YIntervalSeries(e.getKey(), false, true);
            var labels = new ArrayList<String>();
            for (ChartPoint p : sorted) {
                double se = p.hasStderr() ? p.stderr() : 0;
                s.add(x.applyAsDouble(p), p.value(), p.value() - se, p.value() + se);
                labels.add(p.label());
            }
            measured.addSeries(s);
            measuredLabels.add(labels);
        }

        XYPlot plot = new XYPlot();
        ValueAxis xAxis;
        if (xKind.logScale()) {
            var log = new NiceLogAxis(xKind.label);
            log.setBase(10);
            log.setSmallestValue(1e-6);
            log.setNumberFormatOverride(new ThreeDigits(2));
            xAxis = log;
        } else {
            var n = new NumberAxis(xKind.label);
            n.setAutoRangeIncludesZero(false);
            // A single setting (or several at the same bits) would otherwise zoom to a 1e-8 wide range
            // with unreadable ticks ("4.002472E0" five times): show at least one bit around it.
            n.setAutoRangeMinimumSize(1.0);
            xAxis = n;
        }
        ValueAxis yAxis;
        if (logScaleMetric(yLabel)) {
            var log = new NiceLogAxis(yLabel + ", log scale");
            log.setBase(10);
            log.setSmallestValue(1e-9);
            log.setNumberFormatOverride(new ThreeDigits());
            yAxis = log;
        } else {
            var n = new NumberAxis(yLabel);
            n.setAutoRangeIncludesZero(false);
            n.setAutoRangeMinimumSize(1e-3); // one point without error bars: a readable range around it
            yAxis = n;
        }
        plot.setDomainAxis(xAxis);
        plot.setRangeAxis(yAxis);

        // Dataset 0: measured points with error bars.
        var err = new XYErrorRenderer();
        err.setDrawXError(false);
        err.setDrawYError(true);
        err.setDefaultLinesVisible(true);
        err.setDefaultShapesVisible(true);
        err.setCapLength(6);
        for (int i = 0; i < measured.getSeriesCount(); i++) {
            String key = (String) measured.getSeriesKey(i);
            // An adapted model's curve: its method's colour, darker and dashed, beside the model it started from.
            boolean adapted = key.endsWith(ADAPTED);
            err.setSeriesPaint(i, adapted ? shade(colour(key), 1) : colour(key));
            err.setSeriesStroke(
                    i,
                    adapted
                            ? new BasicStroke(
                                    1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                            : new BasicStroke(1.6f));
            err.setSeriesShape(i, new Ellipse2D.Double(-4.5, -4.5, 9, 9));
        }
        err.setErrorPaint(new Color(0, 0, 0, 110));
        // The legend says which settings a series holds ("rtn 4b g128"), not only the method.
        err.setLegendItemLabelGenerator((dataset, series) -> legendEntries.get(series));
        err.setDefaultToolTipGenerator(labelsTooltip(measuredLabels));
        plot.setDataset(0, measured);
        plot.setRenderer(0, err);

        // Dataset 1: Pareto frontier over all measured points (paper points excluded: not ours).
        // With mixed protocols the frontier is drawn for the protocol with the most points only.
        var front = Pareto.frontier(
                points.stream()
                        .filter(p -> !mixed || p.protocol().equals(protocols.getFirst()))
                        .filter(p -> !Double.isNaN(x.applyAsDouble(p)) && (!xKind.logScale() || x.applyAsDouble(p) > 0))
                        .toList(),
                // the frontier wants a cost: seconds per token where tokens/s is on x
                xKind.moreIsBetter() ? p -> 1.0 / x.applyAsDouble(p) : x,
                higherIsBetter);
        if (front.size() >= 2) {
            var fs = new XYSeries("Pareto frontier", false, true);
            var labels = new ArrayList<String>();
            for (ChartPoint p : front) {
                fs.add(x.applyAsDouble(p), p.value());
                labels.add("Pareto-optimal\n" + p.label());
            }
            var fr = new XYLineAndShapeRenderer(true, true);
            fr.setSeriesPaint(0, FRONTIER);
            fr.setSeriesStroke(
                    0,
                    new BasicStroke(3.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {8f, 6f}, 0f));
            fr.setSeriesShape(0, new Ellipse2D.Double(-7, -7, 14, 14));
            fr.setSeriesShapesFilled(0, false);
            fr.setDefaultToolTipGenerator(labelsTooltip(List.of(labels)));
            plot.setDataset(1, new XYSeriesCollection(fs));
            plot.setRenderer(1, fr);
        }

        // Dataset 2: paper-reported points, hollow diamonds in the method's colour.
        if (!paper.isEmpty() && xKind == XAxisKind.BITS_PER_WEIGHT) {
            var pc = new XYSeriesCollection();
            var paperLabels = new ArrayList<List<String>>();
            var grouped = new LinkedHashMap<String, List<ChartPoint>>();
            for (ReferencePoint r : paper)
                grouped.computeIfAbsent("paper: " + r.method(), k -> new ArrayList<>())
                        .add(r.toChartPoint());
            for (var e : grouped.entrySet()) {
                var s = new XYSeries(e.getKey(), false, true);
                var labels = new ArrayList<String>();
                for (ChartPoint p : e.getValue()) {
                    s.add(p.bitsPerWeight(), p.value());
                    labels.add(p.label());
                }
                pc.addSeries(s);
                paperLabels.add(labels);
            }
            var pr = new XYLineAndShapeRenderer(false, true);
            for (int i = 0; i < pc.getSeriesCount(); i++) {
                pr.setSeriesPaint(i, colour((String) pc.getSeriesKey(i)));
                pr.setSeriesShape(i, diamond(7));
                pr.setSeriesShapesFilled(i, false);
                pr.setSeriesOutlineStroke(i, new BasicStroke(2f));
            }
            pr.setUseOutlinePaint(false);
            pr.setDrawOutlines(true);
            pr.setDefaultToolTipGenerator(labelsTooltip(paperLabels));
            plot.setDataset(2, pc);
            plot.setRenderer(2, pr);
        }
        for (ChartPoint b : baseLines) {
            var m = new ValueMarker(
                    b.value(),
                    colour("base"),
                    new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {2f, 4f}, 0f));
            // runs stored before base models recorded their size have no bits/weight: the value alone then
            m.setLabel("uncompressed" + (mixed && !b.protocol().isEmpty() ? " [" + b.protocol() + "]" : "") + ": "
                    + Formats.value(b.value())
                    + (Double.isFinite(b.bitsPerWeight()) && b.bitsPerWeight() > 0
                            ? " at " + Formats.bits(b.bitsPerWeight()) + " bits/weight"
                            : ""));
            m.setLabelFont(new Font(FONT, Font.PLAIN, 11));
            m.setLabelBackgroundColor(new Color(255, 255, 255, 200));
            // Left end: compressed points sit at the high-bit (right) end nearest the line, so the label stays clear of
            // them.
            m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            m.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
            plot.addRangeMarker(m);
        }
        if (!baseLines.isEmpty() && measured.getSeriesCount() > 0) {
            // Markers do not take part in auto-ranging: widen the axis so the reference line is visible.
            plot.configureRangeAxes();
            var r = yAxis.getRange();
            double lo = r.getLowerBound(), hi = r.getUpperBound();
            for (ChartPoint b : baseLines) {
                lo = Math.min(lo, b.value());
                hi = Math.max(hi, b.value());
            }
            if (lo < r.getLowerBound() || hi > r.getUpperBound()) {
                if (yAxis instanceof LogAxis) yAxis.setRange(lo / 1.25, hi * 1.25);
                else {
                    double pad = 0.05 * (hi - lo == 0 ? Math.abs(hi) + 1 : hi - lo);
                    yAxis.setRange(lo - pad, hi + pad);
                }
            }
        }
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        JFreeChart chart = new JFreeChart(title, new Font(FONT, Font.BOLD, 16), plot, true);
        // with only the uncompressed reference line the hint goes under the title: the no-data message is
        // drawn at the plot's centre, where the line and its label are
        if (measured.getSeriesCount() == 0 && baseLines.isEmpty())
            plot.setNoDataMessage("No runs with this metric yet");
        style(chart);
        var notes = new ArrayList<String>();
        if (measured.getSeriesCount() == 0 && !baseLines.isEmpty())
            notes.add("only the uncompressed model so far: evaluate a compressed one to add points");
        if (!front.isEmpty() && front.size() >= 2) {
            notes.add("dashed: Pareto frontier" + (mixed ? " of " + protocols.getFirst() : "") + " ("
                    + (higherIsBetter ? "higher" : "lower") + " is better, " + xKind.better() + " is better)");
        }
        if (points.stream().anyMatch(ChartPoint::hasStderr)) notes.add("error bars: ±1 standard error");
        if (!notes.isEmpty())
            chart.addSubtitle(new TextTitle(String.join("   ·   ", notes), new Font(FONT, Font.PLAIN, 12)));
        String protocolNote = ChartProtocols.note(protocols);
        if (protocolNote != null) {
            var t = new TextTitle(protocolNote, new Font(FONT, mixed ? Font.BOLD : Font.PLAIN, 12));
            if (mixed) t.setPaint(new Color(0x8a, 0x4b, 0x00));
            chart.addSubtitle(t);
        }
        return chart;
    }

    /** Tick labels with three significant digits ("63.1", "1.58e+03"): log axes put ticks at irrational values. */
    static final class ThreeDigits extends NumberFormat {
        private final int digits;

        ThreeDigits() {
            this(3);
        }

        /** With fewer significant digits, e.g. 2 for the size axis ("0.18", "0.22" rather than "0.178", "0.224"). */
        ThreeDigits(int digits) {
            this.digits = digits;
        }

        @Override
        public StringBuffer format(double v, StringBuffer sb, FieldPosition pos) {
            double a = Math.abs(v);
            return sb.append(
                    a != 0 && (a >= 1e4 || a < 1e-2)
                            ? String.format(Locale.ROOT, "%." + digits + "g", v)
                            : new BigDecimal(v)
                                    .round(new MathContext(digits))
                                    .stripTrailingZeros()
                                    .toPlainString());
        }

        @Override
        public StringBuffer format(long v, StringBuffer sb, FieldPosition pos) {
            return format((double) v, sb, pos);
        }

        @Override
        public Number parse(String s, ParsePosition pos) {
            throw new UnsupportedOperationException();
        }
    }

    /**
     * A log axis whose ticks sit at round numbers: powers of ten, else 1-2-5 (else 1..9) times a power
     * of ten, whichever is the coarsest with four ticks or more, instead of JFreeChart's
     * fifth-of-a-decade steps (6.31, 15.8, 25.1, ...). Falls back to JFreeChart's ticks on ranges too
     * narrow for that.
     */
    static final class NiceLogAxis extends LogAxis {
        NiceLogAxis(String label) {
            super(label);
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        protected List refreshTicksVertical(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
            var ticks = roundTicks(edge == RectangleEdge.LEFT ? TextAnchor.CENTER_RIGHT : TextAnchor.CENTER_LEFT);
            return ticks != null ? ticks : super.refreshTicksVertical(g2, dataArea, edge);
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        protected List refreshTicksHorizontal(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
            var ticks = roundTicks(edge == RectangleEdge.TOP ? TextAnchor.BOTTOM_CENTER : TextAnchor.TOP_CENTER);
            return ticks != null ? ticks : super.refreshTicksHorizontal(g2, dataArea, edge);
        }

        private List<ValueTick> roundTicks(TextAnchor anchor) {
            double lo = getLowerBound(), hi = getUpperBound();
            if (!(lo > 0) || !(hi > lo)) return null;
            var format = getNumberFormatOverride() != null ? getNumberFormatOverride() : new ThreeDigits();
            // The coarsest set of round numbers that still gives at least four ticks.
            double[][] sets = {{1}, {1, 2, 5}, {1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9}};
            for (double[] mantissas : sets) {
                var out = new ArrayList<ValueTick>();
                for (int d = (int) Math.floor(Math.log10(lo)); d <= (int) Math.ceil(Math.log10(hi)); d++) {
                    for (double m : mantissas) {
                        double v = m * Math.pow(10, d);
                        if (v >= lo && v <= hi) {
                            out.add(new NumberTick(TickType.MAJOR, v, format.format(v), anchor, anchor, 0.0));
                        }
                    }
                }
                if (out.size() >= 4) return out;
            }
            return null;
        }
    }

    /** Perplexities span orders of magnitude between 2 and 4 bits: their axis is logarithmic. */
    static boolean logScaleMetric(String yLabel) {
        return yLabel.toLowerCase(Locale.ROOT).contains("perplexity");
    }

    /** Mean relative reconstruction error per transformer block, one bar series per method. */
    public static JFreeChart layerErrors(List<LayerError> errors) {
        var sums = new TreeMap<String, TreeMap<Integer, double[]>>(
                Comparator.comparing(WorkbenchCharts::methodOrder).thenComparing(Comparator.naturalOrder()));
        var layers = new TreeSet<Integer>();
        for (LayerError e : errors) {
            int l = e.layerIndex();
            if (l < 0 || Double.isNaN(e.relativeError())) continue;
            layers.add(l);
            double[] acc =
                    sums.computeIfAbsent(e.method(), k -> new TreeMap<>()).computeIfAbsent(l, k -> new double[2]);
            acc[0] += e.relativeError();
            acc[1]++;
        }
        var ds = new DefaultCategoryDataset();
        for (var m : sums.entrySet()) {
            for (int l : layers) {
                double[] acc = m.getValue().get(l);
                ds.addValue(acc == null ? null : acc[0] / acc[1], m.getKey(), "block " + l);
            }
        }
        var xAxis = new CategoryAxis("Transformer block");
        if (layers.size() > 16) xAxis.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        var yAxis = new NumberAxis("Relative error ‖W−Ŵ‖/‖W‖ (mean over the block's tensors)");
        var r = new BarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setItemMargin(0.05);
        var perMethod = new HashMap<Color, Integer>();
        for (int i = 0; i < ds.getRowCount(); i++) {
            Color c = colour((String) ds.getRowKey(i));
            int k = perMethod.merge(c, 1, Integer::sum) - 1;
            r.setSeriesPaint(i, shade(c, k));
        }
        r.setDefaultToolTipGenerator(
                new StandardCategoryToolTipGenerator("{0} · {1}: {2}", new DecimalFormat("0.#####")));
        var plot = new CategoryPlot(ds, xAxis, yAxis, r);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setNoDataMessage("No compression reports with per-tensor errors yet");
        JFreeChart chart = new JFreeChart("Per-layer reconstruction error", new Font(FONT, Font.BOLD, 16), plot, true);
        style(chart);
        return chart;
    }

    /** The k-th series of one method: alternately lighter and darker shades of its colour. */
    static Color shade(Color c, int k) {
        if (k == 0) return c;
        float[] hsb = Color.RGBtoHSB(c.getRed(), c.getGreen(), c.getBlue(), null);
        float step = 0.22f * ((k + 1) / 2);
        float b = k % 2 == 1 ? Math.max(0.25f, hsb[2] - step) : hsb[2];
        float sat = k % 2 == 0 ? Math.max(0.2f, hsb[1] - step) : hsb[1];
        return Color.getHSBColor(hsb[0], sat, b);
    }

    private static XYToolTipGenerator labelsTooltip(List<List<String>> labels) {
        return (dataset, series, item) ->
                series < labels.size() && item < labels.get(series).size()
                        ? labels.get(series).get(item)
                        : null;
    }

    /** The base model first, then the methods in registration order, then anything else. */
    private static int methodOrder(String m) {
        String key = m.toLowerCase(Locale.ROOT);
        if (key.equals("base")) return 0;
        List<MethodDescriptor> methods = MethodRegistry.all();
        for (int i = 0; i < methods.size(); i++) if (methods.get(i).id().equals(key)) return i + 1;
        return methods.size() + 1;
    }

    private static Shape diamond(double r) {
        var p = new Path2D.Double();
        p.moveTo(0, -r);
        p.lineTo(r, 0);
        p.lineTo(0, r);
        p.lineTo(-r, 0);
        p.closePath();
        return p;
    }

    /** Serious-tool look: white plot, light grid, readable fonts. */
    static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(8, 8, 8, 8));
        if (chart.getLegend() != null) {
            chart.getLegend().setItemFont(new Font(FONT, Font.PLAIN, 12));
            chart.getLegend().setFrame(new BlockBorder(new Color(0xdd, 0xdd, 0xdd)));
        }
        Paint grid = new Color(0xe2, 0xe2, 0xe2);
        // JFreeChart's default grid stroke is 0.5 wide, dashed, with miter limit 0 (invalid in SVG); in an
        // SVG shrunk to a paper column that drew as nothing in browsers (crispEdges rounds it away).
        Stroke gridStroke = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f);
        Font axisFont = new Font(FONT, Font.PLAIN, 13);
        Font tickFont = new Font(FONT, Font.PLAIN, 12);
        if (chart.getPlot() instanceof XYPlot p) {
            p.setBackgroundPaint(Color.WHITE);
            p.setDomainGridlinePaint(grid);
            p.setRangeGridlinePaint(grid);
            p.setDomainGridlineStroke(gridStroke);
            p.setRangeGridlineStroke(gridStroke);
            p.setOutlinePaint(new Color(0xbb, 0xbb, 0xbb));
            for (int i = 0; i < p.getDomainAxisCount(); i++) {
                axisFonts(p.getDomainAxis(i), axisFont, tickFont);
                // Wider label cells make JFreeChart choose coarser tick units: 0.25 bits rather than 0.1.
                if (p.getDomainAxis(i) != null) p.getDomainAxis(i).setTickLabelInsets(new RectangleInsets(3, 9, 3, 9));
            }
            for (int i = 0; i < p.getRangeAxisCount(); i++) {
                axisFonts(p.getRangeAxis(i), axisFont, tickFont);
                // About 10 to 12 labels on a 600-pixel axis rather than 25.
                if (p.getRangeAxis(i) != null) p.getRangeAxis(i).setTickLabelInsets(new RectangleInsets(7, 4, 7, 4));
            }
            p.setNoDataMessageFont(new Font(FONT, Font.ITALIC, 14));
        } else if (chart.getPlot() instanceof CategoryPlot p) {
            p.setBackgroundPaint(Color.WHITE);
            p.setRangeGridlinePaint(grid);
            p.setRangeGridlineStroke(gridStroke);
            p.setOutlinePaint(new Color(0xbb, 0xbb, 0xbb));
            p.getDomainAxis().setLabelFont(axisFont);
            p.getDomainAxis().setTickLabelFont(tickFont);
            axisFonts(p.getRangeAxis(), axisFont, tickFont);
            p.getRangeAxis().setTickLabelInsets(new RectangleInsets(7, 4, 7, 4));
            p.setNoDataMessageFont(new Font(FONT, Font.ITALIC, 14));
        }
    }

    private static void axisFonts(ValueAxis a, Font label, Font ticks) {
        if (a == null) return;
        a.setLabelFont(label);
        a.setTickLabelFont(ticks);
    }
}
