package dev.llmcw.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.IntervalXYDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @TempDir
    Path dir;

    @Test
    void chartExportsToValidPngSvgAndPdf() throws Exception {
        var pts = ChartPoints.of(ReportFixtures.rows(), "piqa", "acc");
        var chart = WorkbenchCharts.accuracyVsBits(
                "piqa", "acc", pts, List.of(new ReferencePoint("SeedLM paper", "SeedLM", "piqa", "acc", 4.0, 0.78)));
        ChartExport.write(chart, dir.resolve("a.png"), 800, 500);
        ChartExport.write(chart, dir.resolve("a.svg"), 800, 500);
        ChartExport.write(chart, dir.resolve("a.pdf"), 800, 500);
        ChartFiles.assertValidPng(dir.resolve("a.png"), 800);
        var svg = ChartFiles.assertValidSvg(dir.resolve("a.svg"));
        assertThat(svg.getDocumentElement().getTextContent())
                .contains("Bits per weight")
                .contains("SeedLM C")
                .contains("paper: SeedLM");
        ChartFiles.assertValidPdf(dir.resolve("a.pdf"));
        assertThatThrownBy(() -> ChartExport.write(chart, dir.resolve("a.bmp"), 10, 10))
                .hasMessageContaining("a.bmp")
                .hasMessageContaining("unknown chart format");
    }

    @Test
    void chartHasOneSeriesPerMethodWithErrorBarsAndFrontier() {
        var pts = ChartPoints.of(ReportFixtures.rows(), "piqa", "acc");
        assertThat(pts).hasSize(4);
        var plot = (XYPlot)
                WorkbenchCharts.accuracyVsBits("piqa", "acc", pts, List.of()).getPlot();
        var measured = (IntervalXYDataset) plot.getDataset(0);
        assertThat(measured.getSeriesCount()).isEqualTo(2); // seedlm, rtn; the base model is a reference line
        assertThat(measured.getSeriesKey(0)).isEqualTo("seedlm");
        assertThat(measured.getItemCount(0)).isEqualTo(2);
        assertThat(measured.getEndYValue(0, 0) - measured.getStartYValue(0, 0))
                .isCloseTo(2 * 0.0117, Offset.offset(1e-9));
        assertThat(plot.getRangeMarkers(Layer.FOREGROUND))
                .singleElement()
                .satisfies(m -> assertThat(m.getLabel()).isEqualTo("uncompressed: 0.5200 at 32.000 bits/weight"));
        var frontier = plot.getDataset(1);
        // 3.0 bits 0.505 → 4.0 bits 0.515; rtn (4.25, 0.51) is dominated.
        assertThat(frontier.getItemCount(0)).isEqualTo(2);
        var tip = plot.getRenderer(0).getToolTipGenerator(0, 0).generateToolTip(measured, 0, 0);
        assertThat(tip).contains("C=12 K=16 P=4").contains("run 3").contains("± 0.0117");
    }

    @Test
    void aSinglePointKeepsReadableAxes() throws Exception {
        var one = List.of(
                new ChartPoint("seedlm", 4.002472, 510_552, 0.75, Double.NaN, "seedlm 4-bit"),
                new ChartPoint("base", 32, 3_166_720, 0.5, Double.NaN, "base"));
        var chart = WorkbenchCharts.metricVsBits("piqa", "acc", one, List.of());
        var plot = (XYPlot) chart.getPlot();
        ChartExport.write(chart, dir.resolve("one.png"), 800, 500); // lays the axes out
        assertThat(plot.getDomainAxis().getRange().getLength()).isGreaterThanOrEqualTo(1.0);
        assertThat(plot.getDomainAxis().getRange().contains(4.002472)).isTrue();
        assertThat(plot.getRangeAxis().getRange().getLength()).isGreaterThanOrEqualTo(1e-3);
    }

    @Test
    void paretoFrontierKeepsOnlyNonDominatedPoints() {
        var a = new ChartPoint("m", 2, 10, 0.5, Double.NaN, "a");
        var b = new ChartPoint("m", 3, 10, 0.4, Double.NaN, "b"); // dominated by a
        var c = new ChartPoint("m", 4, 10, 0.6, Double.NaN, "c");
        var d = new ChartPoint("m", 4, 10, 0.55, Double.NaN, "d"); // same x, worse
        assertThat(Pareto.frontier(List.of(c, b, a, d), ChartPoint::bitsPerWeight, true))
                .containsExactly(a, c);
        // Lower is better (perplexity): a=0.5 at 2 bits dominates everything with more bits and higher value.
        assertThat(Pareto.frontier(List.of(c, b, a, d), ChartPoint::bitsPerWeight, false))
                .containsExactly(a, b);
    }

    @Test
    void reportHasTablesChartsAndData() throws Exception {
        var out = ReportWriter.write(
                new ReportWriter.Input(
                        "Test report",
                        ReportFixtures.rows(),
                        ReportFixtures.layerErrors(),
                        List.of(new ReferencePoint("SeedLM paper", "SeedLM", "piqa", "acc", 4.0, 0.78))),
                dir);
        String md = Files.readString(out.markdown());
        assertThat(md)
                .contains("| 2 | stories260K | seedlm | C=8 K=16 P=3 |  | 4.000 | 300.0 kB | 0.5150 ± 0.0117 |")
                .contains("| 4 | stories260K | rtn | bits=4 group=64 |  | 4.250 |")
                .contains("![piqa: acc vs bits per weight](charts/piqa-acc-vs-bits.png)")
                .contains("## tinystories")
                .contains("12.5000")
                .contains("Paper-reported");
        String html = Files.readString(out.html());
        assertThat(html)
                .contains("<td>seedlm</td><td>C=12 K=16 P=4</td><td></td><td class=\"num\">3.000</td>")
                .contains("charts/layer-errors.svg")
                .contains("charts/piqa-acc-vs-size.svg");
        assertThat(out.charts()).allMatch(Files::exists);
        for (Path p : out.charts()) {
            if (p.toString().endsWith(".png")) ChartFiles.assertValidPng(p, 960);
            else ChartFiles.assertValidSvg(p);
        }
        assertThat(out.charts().stream().map(p -> p.getFileName().toString()))
                .contains(
                        "piqa-acc-vs-bits.png",
                        "piqa-acc_norm-vs-bits.svg",
                        "tinystories-word_perplexity-vs-bits.png",
                        "tinystories-kl_mean-vs-bits.png",
                        "layer-errors.png");
        var csv = Files.readAllLines(out.csv());
        assertThat(csv).hasSize(7);
        assertThat(csv.get(0)).startsWith("run_id,model,method,settings,bits_per_weight,total_bytes,task,acc,acc_norm");
        assertThat(csv.get(2)).startsWith("2,stories260K,seedlm,C=8 K=16 P=3,4.0,300000,piqa,0.515");
        var json = Json.MAPPER.readTree(out.json().toFile());
        assertThat(json.size()).isEqualTo(6);
        assertThat(json.get(1).get("metrics").get("acc").asDouble()).isEqualTo(0.515);
        assertThat(json.get(0).get("parameters").size()).isZero();
    }

    /** Runs of two model families get charts of their own, each with its own reference line, named and titled by model. */
    @Test
    void twoModelFamiliesAreChartedApart() {
        var rows = new ArrayList<>(ReportFixtures.rows().stream()
                .filter(r -> r.task().equals("piqa"))
                .toList());
        rows.add(new RunRow(
                "7",
                "SmolLM2-135M",
                "base",
                Map.of(),
                16.0,
                270_000_000,
                "piqa",
                Map.of("acc", 0.68),
                "",
                RunRow.Measured.UNKNOWN));
        var charts = ReportCharts.standard(rows, List.of(), List.of());
        assertThat(charts)
                .extracting(NamedChart::name)
                .contains("piqa-acc-vs-bits-stories260k", "piqa-acc-vs-bits-smollm2-135m")
                .noneMatch(n -> n.equals("piqa-acc-vs-bits"));
        var smol = charts.stream()
                .filter(c -> c.name().equals("piqa-acc-vs-bits-smollm2-135m"))
                .findFirst()
                .orElseThrow();
        assertThat(smol.title()).isEqualTo("piqa: acc vs bits per weight (SmolLM2-135M)");
        var markers = ((XYPlot) smol.chart().getPlot()).getRangeMarkers(Layer.FOREGROUND);
        assertThat(markers)
                .singleElement()
                .satisfies(m -> assertThat(((ValueMarker) m).getValue()).isEqualTo(0.68));
        // one family: names and titles as before
        assertThat(ReportCharts.standard(ReportFixtures.rows(), List.of(), List.of()))
                .extracting(NamedChart::name)
                .contains("piqa-acc-vs-bits");
    }

    @Test
    void metricCellsShowCountsAsWholeNumbersAndStderrWhenThereIsOne() {
        assertThat(Formats.metric("flips", 30, Double.NaN)).isEqualTo("30");
        assertThat(Formats.metric("acc", 0.47, 0.0354)).isEqualTo("0.4700 ± 0.0354");
        assertThat(Formats.metric("kl_mean", 1.0, Double.NaN)).isEqualTo("1.0000");
        assertThat(Formats.metric("acc", Double.NaN, 0.01)).isEmpty();
        assertThat(ReportWriter.cell(
                        new RunRow(
                                "1",
                                "m",
                                "rtn",
                                Map.of(),
                                4,
                                1,
                                "piqa",
                                Map.of("flips", 12.0),
                                "",
                                RunRow.Measured.UNKNOWN),
                        "flips"))
                .isEqualTo("12");
    }

    @Test
    void emptySelectionIsRejected() {
        assertThatThrownBy(() -> ReportWriter.write(new ReportWriter.Input("x", List.of(), List.of(), List.of()), dir))
                .hasMessageContaining("no runs");
    }

    @Test
    void layerIndexIsParsedFromCanonicalNames() {
        assertThat(new LayerError("m", "model.layers.12.mlp.up_proj.weight", 0, 0).layerIndex())
                .isEqualTo(12);
        assertThat(new LayerError("m", "lm_head.weight", 0, 0).layerIndex()).isEqualTo(-1);
    }
}
