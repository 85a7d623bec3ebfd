package dev.llmcw.report;

import static dev.llmcw.results.StoredRunFixture.base;
import static dev.llmcw.results.StoredRunFixture.compressed;
import static dev.llmcw.results.StoredRunFixture.first;
import static dev.llmcw.results.StoredRunFixture.firstRight;
import static dev.llmcw.results.StoredRunFixture.flipped;
import static dev.llmcw.results.StoredRunFixture.full;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.TextTitle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stored runs of one method at two protocols, through rows, chart points, charts and the written report. */
class ComparisonReportTest {
    @TempDir
    Path dir;

    @Test
    void protocolsStaySeparateAndComparisonsReachTooltipsAndReports() throws Exception {
        List<RunRow> rows;
        long noisy, broken;
        try (var store = ResultsStore.open(dir.resolve("r.db"))) {
            boolean[] answers = firstRight(50, 40);
            base(store, first(50), answers);
            base(store, full(), firstRight(80, 60));
            noisy = compressed(store, "seedlm", Map.of("C", "8"), 4.0, first(50), flipped(answers, 0, 1, 45));
            broken = compressed(
                    store,
                    "seedlm",
                    Map.of("C", "4"),
                    2.0,
                    first(50),
                    flipped(answers, IntStream.range(0, 30).toArray()));
            compressed(store, "seedlm", Map.of("C", "8"), 4.0, full(), firstRight(80, 58));
            rows = RunRows.of(store, store.listRuns(RunFilter.all()));
        }
        var points = ChartPoints.of(rows, "piqa", "acc");
        assertThat(points.stream()
                        .filter(p -> p.label().contains("run " + noisy))
                        .findFirst()
                        .orElseThrow()
                        .label())
                .contains("first 50")
                .contains("retained 97.5%")
                .contains("(not significant)");
        assertThat(points.stream()
                        .filter(p -> p.label().contains("run " + broken))
                        .findFirst()
                        .orElseThrow()
                        .label())
                .contains("retained 25.0%")
                .contains("p < 0.001");

        var chart = WorkbenchCharts.metricVsBits("piqa", "acc", points, List.of());
        var ds = ((XYPlot) chart.getPlot()).getDataset(0);
        assertThat(IntStream.range(0, ds.getSeriesCount())
                        .mapToObj(i -> ds.getSeriesKey(i).toString()))
                .containsExactly("seedlm [first 50]", "seedlm [full split]");
        assertThat(chart.getSubtitles())
                .anySatisfy(t -> assertThat(t)
                        .isInstanceOfSatisfying(
                                TextTitle.class,
                                x -> assertThat(x.getText()).startsWith("MIXED PROTOCOLS (first 50; full split)")));

        var out = ReportWriter.write(new ReportWriter.Input("t", rows, List.of(), List.of()), dir.resolve("report"));
        String md = Files.readString(out.markdown());
        assertThat(md)
                .contains("| first 50 |")
                .contains("| full split |")
                .contains("(not significant) |")
                .contains("p &lt; 0.001 |"); // markdown escapes "<"
        assertThat(Files.readString(out.json())).contains("\"mcnemar_p\"").contains("\"protocol\" : \"first 50\"");
    }
}
