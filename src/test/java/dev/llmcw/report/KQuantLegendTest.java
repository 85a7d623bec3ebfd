package dev.llmcw.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.jfree.chart.LegendItem;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;

/**
 * A kquant series names its types and mixes in the legend ("llama.cpp K-quants Q2_K, Q4_K_M, Q6_K"), not only the
 * method.
 */
class KQuantLegendTest {
    private static RunRow row(String id, String type, String pure, double bits, double kl) {
        return new RunRow(
                id,
                "stories260K",
                "kquant",
                Map.of("type", type, "pure", pure),
                bits,
                100_000,
                "tinystories_ppl",
                Map.of("kl_mean", kl),
                "",
                RunRow.Measured.UNKNOWN);
    }

    @Test
    void theLegendShowsTheTypeOrMixOfEveryPoint() {
        var pts = ChartPoints.of(
                List.of(
                        row("1", "Q6_K", "false", 6.56, 0.01),
                        row("2", "Q4_K_M", "false", 4.9, 0.05),
                        row("3", "Q2_K", "true", 2.6, 0.4)),
                "tinystories_ppl",
                "kl_mean");
        var plot = (XYPlot) WorkbenchCharts.accuracyVsBits("tinystories_ppl", "kl_mean", pts, List.of())
                .getPlot();
        LegendItem item = plot.getRenderer(0).getLegendItem(0, 0);
        assertThat(item.getLabel()).isEqualTo("llama.cpp K-quants Q2_K pure, Q4_K_M, Q6_K");
        assertThat(LegendSettings.compact(Map.of("type", "Q4_K_M", "pure", "false", "calibration", "a/b.txt")))
                .isEqualTo("Q4_K_M");
    }
}
