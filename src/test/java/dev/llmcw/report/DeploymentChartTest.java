package dev.llmcw.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.results.DeploymentRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;

/** Accuracy against decode speed and memory: x comes from the deployment measurement, unmeasured runs stay off. */
class DeploymentChartTest {
    private static ChartPoint point(String method, double acc, double tokS, long bytes) {
        return new ChartPoint(method, 4, 1000, acc, 0.01, method, "first 50", "", tokS, bytes);
    }

    @Test
    void speedAndMemoryAreTheXOfTheirCharts() {
        var pts = List.of(
                point("base", 0.60, 40, 4_000_000),
                point("rtn", 0.58, 90, 1_200_000),
                point("seedlm", 0.59, 20, 1_100_000),
                point("gptq", 0.50, Double.NaN, -1)); // not measured: left out
        XYPlot speed =
                (XYPlot) WorkbenchCharts.metricVsDeployment("piqa", "acc", pts, WorkbenchCharts.XAxisKind.DECODE_TOK_S)
                        .getPlot();
        assertThat(speed.getDomainAxis().getLabel()).isEqualTo("Decode tokens/s on this machine");
        var measured = speed.getDataset(0);
        assertThat(measured.getSeriesCount()).isEqualTo(3);
        for (int s = 0; s < measured.getSeriesCount(); s++) {
            String key = measured.getSeriesKey(s).toString();
            double x = measured.getXValue(s, 0);
            assertThat(x).isEqualTo(key.equals("base") ? 40 : key.equals("rtn") ? 90 : 20);
        }
        XYPlot memory =
                (XYPlot) WorkbenchCharts.metricVsDeployment("piqa", "acc", pts, WorkbenchCharts.XAxisKind.MEMORY_MB)
                        .getPlot();
        assertThat(memory.getDomainAxis().getLabel()).startsWith("Memory to run it");
        assertThat(memory.getDataset(0).getXValue(0, 0)).isIn(4.0, 1.2, 1.1);
    }

    @Test
    void theReportChartsAMetricAgainstSpeedAndMemoryOnlyWhenAModelWasMeasured() {
        var rtn = new RunRow(
                "1",
                "smollm2",
                "rtn",
                Map.of("bits", "4"),
                4.3,
                100_000_000,
                "tinystories_ppl",
                Map.of("kl_mean", 0.11),
                "",
                RunRow.Measured.UNKNOWN);
        var gptq = new RunRow(
                "2",
                "smollm2",
                "gptq",
                Map.of("bits", "4"),
                4.3,
                100_000_000,
                "tinystories_ppl",
                Map.of("kl_mean", 0.05),
                "",
                RunRow.Measured.UNKNOWN);
        List<String> unmeasured = ReportCharts.standard(List.of(rtn, gptq), List.of(), List.of()).stream()
                .map(NamedChart::name)
                .toList();
        assertThat(unmeasured).contains("tinystories_ppl-kl_mean-vs-bits").noneMatch(n -> n.contains("-vs-decode"));

        var deployed = new DeploymentRecord("h", "AMD EPYC", 2, "p", Instant.EPOCH, 300, 60, 90_000_000, 1, -1);
        var charts = ReportCharts.standard(List.of(rtn.withDeployment(deployed), gptq), List.of(), List.of());
        assertThat(charts)
                .extracting(NamedChart::name)
                .contains("tinystories_ppl-kl_mean-vs-decode", "tinystories_ppl-kl_mean-vs-memory");
        var speed = (XYPlot) charts.stream()
                .filter(c -> c.name().equals("tinystories_ppl-kl_mean-vs-decode"))
                .findFirst()
                .orElseThrow()
                .chart()
                .getPlot();
        assertThat(speed.getDataset(0).getSeriesCount()).isEqualTo(1); // gptq's model was not measured: left out
        assertThat(speed.getDataset(0).getXValue(0, 0)).isEqualTo(60);
    }

    @Test
    void fasterIsBetterOnTheSpeedFrontier() {
        // rtn is fastest and nearly as accurate as base: both on the frontier; seedlm (slowest, less accurate
        // than base... but more accurate than rtn) is dominated by base, which is faster and more accurate
        var pts = List.of(
                point("base", 0.60, 40, 4_000_000),
                point("rtn", 0.58, 90, 1_200_000),
                point("seedlm", 0.59, 20, 1_100_000));
        var front = Pareto.frontier(pts, p -> 1.0 / p.decodeTokS(), true);
        assertThat(front).extracting(ChartPoint::method).containsExactly("rtn", "base");
    }
}
