package dev.llmcw.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.compress.caldera.adapt.AdaptedCalderaModel;
import java.awt.BasicStroke;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.IntervalXYDataset;
import org.junit.jupiter.api.Test;

/** A fine-tuned CALDERA run is its own series on the accuracy charts, beside the CALDERA it started from. */
class AdaptedSeriesTest {
    private static RunRow row(String id, Map<String, String> params, double bits, long bytes, double acc) {
        return new RunRow(
                id,
                "stories260K",
                "caldera",
                params,
                bits,
                bytes,
                "piqa",
                Map.of("acc", acc, "acc_stderr", 0.01),
                "",
                RunRow.Measured.UNKNOWN);
    }

    private static final Map<String, String> PLAIN = Map.of("rank", "8", "ft_rank", "8", "bits_q", "2");

    private static List<RunRow> rows() {
        var adapted = new HashMap<>(PLAIN);
        adapted.put(AdaptedCalderaModel.KEY_FINETUNE, "AdamW lr 0.001 wd 0.001, linear decay, warmup 0.02");
        adapted.put(AdaptedCalderaModel.KEY_FINETUNE_TEXT, "calib.txt, 8 × 128 tokens");
        return List.of(
                row("1", PLAIN, 3.6, 200_000, 0.51),
                row("2", Map.of("rank", "16", "ft_rank", "0", "bits_q", "2"), 3.9, 220_000, 0.52),
                row("3", adapted, 3.6, 200_000, 0.53));
    }

    @Test
    void adaptedAndNonAdaptedRunsAreTwoSeriesOnBitsAndSizeCharts() {
        var pts = ChartPoints.of(rows(), "piqa", "acc");
        assertThat(pts).extracting(ChartPoint::method).containsExactly("caldera", "caldera", "caldera (adapted)");
        for (var chart : List.of(
                WorkbenchCharts.accuracyVsBits("piqa", "acc", pts, List.of()),
                WorkbenchCharts.accuracyVsSize("piqa", "acc", pts))) {
            var plot = (XYPlot) chart.getPlot();
            var measured = (IntervalXYDataset) plot.getDataset(0);
            assertThat(measured.getSeriesCount()).isEqualTo(2);
            assertThat(List.of(measured.getSeriesKey(0), measured.getSeriesKey(1)))
                    .containsExactly("caldera", "caldera (adapted)");
            assertThat(measured.getItemCount(0)).isEqualTo(2);
            assertThat(measured.getItemCount(1)).isEqualTo(1);
            assertThat(measured.getYValue(1, 0)).isEqualTo(0.53);
            // Told apart by more than the legend: the adapted curve is dashed and a darker shade.
            var r = plot.getRenderer(0);
            assertThat(((BasicStroke) r.getSeriesStroke(1)).getDashArray()).isNotNull();
            assertThat(((BasicStroke) r.getSeriesStroke(0)).getDashArray()).isNull();
            assertThat(r.getSeriesPaint(1)).isNotEqualTo(r.getSeriesPaint(0));
        }
    }
}
