package dev.llmcw.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;

/**
 * Issue #21's chart is read by users choosing a method: its legend names methods as their papers' tables do
 * ("QuIP# 2-bit", "SeedLM 3-bit, 4-bit", "llama.cpp K-quants Q2_K, …"), not by their ids ("quip-sharp", "kquant").
 */
class LegendNamesTest {
    private static RunRow row(String id, String method, Map<String, String> params, double bits, double kl) {
        return new RunRow(
                id,
                "smollm2-135m-synthetic",
                method,
                params,
                bits,
                100_000,
                "tinystories_ppl",
                Map.of("kl_mean", kl),
                "",
                RunRow.Measured.UNKNOWN);
    }

    @Test
    void everyMethodIsNamedAsItsPaperNamesIt() {
        var pts = ChartPoints.of(
                List.of(
                        row("1", "seedlm", Map.of("bits", "3"), 3.0, 1.3),
                        row("2", "seedlm", Map.of("bits", "4"), 4.0, 0.2),
                        // QuIP# stored without its bit width (a suite that left the default): still "2-bit"
                        row("3", "quip-sharp", Map.of("keep_dtype", "bf16"), 2.05, 2.8),
                        row("4", "gptq", Map.of("bits", "4", "group", "64", "sym", "false"), 4.31, 0.05),
                        row("5", "caldera", Map.of("rank", "16", "q_bits", "2", "lr_bits", "4"), 2.6, 0.9),
                        row("6", "kquant", Map.of("type", "Q2_K"), 3.2, 0.4),
                        row("7", "kquant", Map.of("type", "Q3_K_M"), 4.1, 0.2),
                        row("8", "kquant", Map.of("type", "Q4_K_M"), 5.2, 0.05),
                        row("9", "kquant", Map.of("type", "Q5_K_M"), 5.8, 0.02),
                        row("10", "kquant", Map.of("type", "Q6_K"), 7.1, 0.01)),
                "tinystories_ppl",
                "kl_mean");
        var plot = (XYPlot) WorkbenchCharts.accuracyVsBits("tinystories_ppl", "kl_mean", pts, List.of())
                .getPlot();
        var legend = new ArrayList<String>();
        for (int i = 0; i < plot.getLegendItems().getItemCount(); i++)
            legend.add(plot.getLegendItems().get(i).getLabel());
        assertThat(legend)
                .contains(
                        "SeedLM 3-bit, 4-bit",
                        "QuIP# 2-bit",
                        "GPTQ 4-bit g64",
                        "CALDERA r16",
                        // the whole ladder, in the order of the bits axis: no "…" for five K-quant mixes
                        "llama.cpp K-quants Q2_K, Q3_K_M, Q4_K_M, Q5_K_M, Q6_K");
        assertThat(legend).noneMatch(l -> l.startsWith("quip-sharp") || l.startsWith("kquant"));
    }

    @Test
    void seriesKeysKeepWhatFollowsTheMethod() {
        assertThat(LegendSettings.displayName("caldera (adapted)")).isEqualTo("CALDERA (adapted)");
        assertThat(LegendSettings.displayName("seedlm [first 100]")).isEqualTo("SeedLM [first 100]");
        assertThat(LegendSettings.displayName("base")).isEqualTo("base");
        assertThat(LegendSettings.displayName("paper: CALDERA")).isEqualTo("paper: CALDERA");
    }
}
