package dev.llmcw.report;

/**
 * A number reported in a paper, entered by the user to overlay on charts (never computed here).
 *
 * @param source e.g. "SeedLM paper, Table 2"
 */
public record ReferencePoint(
        String source, String method, String task, String metric, double bitsPerWeight, double value) {
    ChartPoint toChartPoint() {
        return new ChartPoint(
                "paper: " + method,
                bitsPerWeight,
                -1,
                value,
                Double.NaN,
                source + " · " + method + " · " + task + " " + metric + " " + Formats.value(value) + " at "
                        + Formats.bits(bitsPerWeight) + " bits/weight");
    }
}
