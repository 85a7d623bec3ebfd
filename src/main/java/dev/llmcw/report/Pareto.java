package dev.llmcw.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Pareto frontier of size versus quality: the points no other point beats on both at once. */
public final class Pareto {
    private Pareto() {}

    /**
     * Points not dominated by any other: no other point has x ≤ and quality ≥ (strictly better in
     * one). Returned sorted by x.
     *
     * @param x              the size coordinate (smaller is better)
     * @param higherIsBetter true for accuracy, false for perplexity / KL
     */
    public static List<ChartPoint> frontier(
            List<ChartPoint> points, ToDoubleFunction<ChartPoint> x, boolean higherIsBetter) {
        var sorted = new ArrayList<ChartPoint>();
        for (ChartPoint p : points) {
            if (!Double.isNaN(x.applyAsDouble(p)) && x.applyAsDouble(p) >= 0 && !Double.isNaN(p.value())) sorted.add(p);
        }
        // Sort by size ascending, ties broken best-quality first; then sweep keeping strict improvements.
        Comparator<ChartPoint> byQuality = Comparator.comparingDouble(ChartPoint::value);
        if (higherIsBetter) byQuality = byQuality.reversed();
        sorted.sort(Comparator.comparingDouble(x).thenComparing(byQuality));
        var out = new ArrayList<ChartPoint>();
        double best = higherIsBetter ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        for (ChartPoint p : sorted) {
            boolean better = higherIsBetter ? p.value() > best : p.value() < best;
            if (better) {
                out.add(p);
                best = p.value();
            }
        }
        return out;
    }
}
