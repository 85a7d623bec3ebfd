package dev.llmcw.report;

/**
 * One plotted point. {@code stderr} is NaN when the metric has no standard error (perplexity, KL).
 *
 * @param method        series the point belongs to ("seedlm", "rtn", "paper: SeedLM", ...)
 * @param bitsPerWeight x for bits charts
 * @param totalBytes    x for size charts (bytes; plotted in MB)
 * @param label         full settings for tooltips ("seedlm C=8 P=3 K=16 · piqa acc 0.612 ± 0.011 · run 42")
 * @param protocol      how the value was measured ("first 100", "full split"; empty if unknown): points of
 *                      different protocols are never joined into one series
 * @param settings      short settings for the legend ("C8 P3 K16", "4b g128"; empty: none)
 * @param decodeTokS    x for speed charts: decode tokens/s of the model on this machine (NaN: not measured)
 * @param memoryBytes   x for memory charts: weights + KV cache of the deployment protocol (-1: not measured)
 */
public record ChartPoint(
        String method,
        double bitsPerWeight,
        long totalBytes,
        double value,
        double stderr,
        String label,
        String protocol,
        String settings,
        double decodeTokS,
        long memoryBytes) {
    public ChartPoint {
        if (protocol == null) protocol = "";
        if (settings == null) settings = "";
    }

    /** A point without a deployment measurement (decode speed and memory unknown). */
    public ChartPoint(
            String method,
            double bitsPerWeight,
            long totalBytes,
            double value,
            double stderr,
            String label,
            String protocol,
            String settings) {
        this(method, bitsPerWeight, totalBytes, value, stderr, label, protocol, settings, Double.NaN, -1);
    }

    /** A point whose protocol and settings are not known (paper-reported points, fixtures). */
    public ChartPoint(String method, double bitsPerWeight, long totalBytes, double value, double stderr, String label) {
        this(method, bitsPerWeight, totalBytes, value, stderr, label, "", "");
    }

    public boolean hasStderr() {
        return !Double.isNaN(stderr) && stderr > 0;
    }
}
