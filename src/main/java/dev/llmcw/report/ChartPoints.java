package dev.llmcw.report;

import dev.llmcw.compress.caldera.adapt.AdaptedCalderaModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Turns results rows into chart points for one task and metric. */
public final class ChartPoints {
    private ChartPoints() {}

    private static final Set<String> LOWER_IS_BETTER_PREFIXES =
            Set.of("perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte", "kl_", "flips", "delta_ll");

    /** Accuracy-like metrics grow with quality; perplexity, KL and flips shrink. */
    public static boolean higherIsBetter(String metric) {
        for (String p : LOWER_IS_BETTER_PREFIXES) if (metric.startsWith(p)) return false;
        return true;
    }

    /** Points of {@code metric} for rows of {@code task} (rows without the metric are skipped). */
    public static List<ChartPoint> of(List<RunRow> rows, String task, String metric) {
        var out = new ArrayList<ChartPoint>();
        for (RunRow r : rows) {
            if (!r.task().equals(task)) continue;
            double v = r.metric(metric);
            if (Double.isNaN(v)) continue;
            double se = r.metric(metric + "_stderr");
            out.add(new ChartPoint(
                    series(r),
                    r.bitsPerWeight(),
                    r.totalBytes(),
                    v,
                    se,
                    label(r, metric, v, se),
                    r.protocol(),
                    LegendSettings.compact(r.method(), r.parameters()),
                    r.deployment() == null ? Double.NaN : r.deployment().decodeTokS(),
                    r.deployment() == null ? -1 : r.deployment().modelBytes()));
        }
        return out;
    }

    /**
     * The series a row's point joins: its method, "caldera (adapted)" for a fine-tuned model (its parameters
     * carry the fine-tuning settings), so adaptation shows as its own curve next to the model it started from.
     */
    static String series(RunRow r) {
        return r.parameters().containsKey(AdaptedCalderaModel.KEY_FINETUNE)
                ? r.method() + WorkbenchCharts.ADAPTED
                : r.method();
    }

    static String label(RunRow r, String metric, double v, double se) {
        var sb = new StringBuilder();
        sb.append(r.model())
                .append(" · ")
                .append(r.methodWithSettings())
                .append('\n')
                .append(r.task())
                .append(' ')
                .append(metric)
                .append(' ')
                .append(Formats.value(v));
        if (!Double.isNaN(se)) sb.append(" ± ").append(Formats.value(se));
        if (!r.protocol().isEmpty()) sb.append(" · ").append(r.protocol());
        if (r.vsBase() != null && r.vsBase().metric().equals(metric))
            sb.append('\n').append(r.vsBase().describe());
        sb.append('\n')
                .append(Formats.bits(r.bitsPerWeight()))
                .append(" bits/weight · ")
                .append(Formats.size(r.totalBytes()))
                .append(" · run ")
                .append(r.runId());
        if (r.deployment() != null) sb.append('\n').append(r.deployment().describe());
        return sb.toString();
    }
}
