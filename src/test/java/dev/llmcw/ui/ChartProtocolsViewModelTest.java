package dev.llmcw.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.app.RecentModels;
import dev.llmcw.report.RunRow;
import dev.llmcw.ui.charts.ChartsViewModel;
import dev.llmcw.ui.results.ResultsViewModel;
import dev.llmcw.ui.task.SynchronousTaskExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.prefs.Preferences;
import java.util.stream.IntStream;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Charts view never joins runs of different protocols: a chooser, one series per protocol, a legend that names them. */
class ChartProtocolsViewModelTest {
    @TempDir
    Path dir;

    private final Preferences prefs =
            Preferences.userRoot().node("dev/llmcw/workbench/protocoltest-" + System.nanoTime());

    @AfterEach
    void cleanPrefs() throws Exception {
        prefs.removeNode();
    }

    private static RunRow row(String id, String method, double bits, double acc, String protocol, int items) {
        return new RunRow(
                id,
                "stories260K",
                method,
                method.equals("base") ? Map.of() : Map.of("C", "8", "bits", Double.toString(bits)),
                bits,
                1000,
                "piqa",
                Map.of("acc", acc, "acc_stderr", 0.01),
                "2026-12-0" + id + "T10:00:00Z",
                new RunRow.Measured(protocol, items, null));
    }

    private ChartsViewModel charts(List<RunRow> rows) {
        var services = FakeServices.with(dir, new FakeServices.FakeCompression(), new FakeServices.FakeEvaluation());
        var vm = new WorkbenchViewModel(services, new SynchronousTaskExecutor(), (t, m) -> {}, new RecentModels(prefs));
        services.results().record(rows, List.of());
        vm.results().refresh();
        return vm.charts();
    }

    @Test
    void runsOfTwoProtocolsAreTwoSeriesAndTheLegendNamesBoth() {
        var c = charts(List.of(
                row("1", "base", 32, 0.70, "first 100", 100),
                row("2", "base", 32, 0.66, "full split", 1838),
                row("3", "seedlm", 3, 0.60, "first 100", 100),
                row("4", "seedlm", 4, 0.68, "first 100", 100),
                row("5", "seedlm", 4, 0.64, "full split", 1838)));

        assertThat(c.protocols()).containsExactly(ChartsViewModel.ALL_PROTOCOLS, "first 100", "full split");
        assertThat(c.protocolProperty().get()).as("the protocol with most runs").isEqualTo("first 100");
        assertThat(seriesKeys(c)).containsExactly("seedlm");
        assertThat(referenceLines(c)).containsExactly(0.70);
        assertThat(subtitles(c)).contains("protocol: first 100");

        c.protocolProperty().set(ChartsViewModel.ALL_PROTOCOLS);
        assertThat(seriesKeys(c)).containsExactly("seedlm [first 100]", "seedlm [full split]");
        XYPlot plot = (XYPlot) c.chartProperty().get().getPlot();
        var legend = new ArrayList<String>();
        var items = plot.getLegendItems();
        for (int i = 0; i < items.getItemCount(); i++) legend.add(items.get(i).getLabel());
        // each legend entry names its protocol, then the settings of its points
        assertThat(legend)
                .containsSubsequence("SeedLM [first 100] 3.0-bit C8, 4.0-bit C8", "SeedLM [full split] 4.0-bit C8");
        assertThat(referenceLines(c)).containsExactlyInAnyOrder(0.70, 0.66);
        assertThat(subtitles(c)).anySatisfy(s -> assertThat(s).startsWith("MIXED PROTOCOLS (first 100; full split)"));
        XYDataset ds = plot.getDataset(0);
        assertThat(ds.getItemCount(0)).isEqualTo(2);
        assertThat(ds.getItemCount(1)).isEqualTo(1);
        String tip = plot.getRenderer(0).getToolTipGenerator(1, 0).generateToolTip(ds, 1, 0);
        assertThat(tip).contains("full split").contains("run 5");

        c.protocolProperty().set("full split");
        assertThat(seriesKeys(c)).containsExactly("seedlm");
        assertThat(referenceLines(c)).containsExactly(0.66);
    }

    @Test
    void accuracyChartsDrawChanceAndSayWhenTheBaseModelIsWithinNoiseOfIt() {
        var c = charts(
                List.of(row("1", "base", 32, 0.53, "first 100", 100), row("2", "seedlm", 3, 0.50, "first 100", 100)));
        XYPlot plot = (XYPlot) c.chartProperty().get().getPlot();
        assertThat(plot.getRangeMarkers(Layer.BACKGROUND))
                .singleElement()
                .satisfies(m -> assertThat(((ValueMarker) m).getValue()).isEqualTo(0.5));
        assertThat(subtitles(c))
                .anySatisfy(s -> assertThat(s)
                        .startsWith(
                                "the uncompressed model is within noise of chance (first 100: 0.5300 on 100 items, p = 0.62)")
                        .contains("see KL, flips and perplexity"));

        var strong = charts(
                List.of(row("1", "base", 32, 0.70, "first 100", 100), row("2", "seedlm", 3, 0.60, "first 100", 100)));
        assertThat(subtitles(strong)).noneSatisfy(s -> assertThat(s).contains("within noise of chance"));
    }

    @Test
    void compareWarnsWhenTheRunsOfATaskHaveDifferentProtocols() {
        var a = row("1", "base", 32, 0.70, "first 100", 100);
        var b = row("2", "seedlm", 3, 0.60, "full split", 1838);
        assertThat(ResultsViewModel.protocolWarning(List.of(a, b)))
                .isEqualTo(
                        "Different protocols (piqa: first 100 vs full split): these values were measured on different items or options and are not comparable.");
        assertThat(ResultsViewModel.protocolWarning(List.of(a, row("3", "seedlm", 3, 0.60, "first 100", 100))))
                .isEmpty();
    }

    private static List<String> seriesKeys(ChartsViewModel c) {
        XYDataset ds = ((XYPlot) c.chartProperty().get().getPlot()).getDataset(0);
        return IntStream.range(0, ds.getSeriesCount())
                .mapToObj(i -> ds.getSeriesKey(i).toString())
                .toList();
    }

    private static List<Double> referenceLines(ChartsViewModel c) {
        var markers = ((XYPlot) c.chartProperty().get().getPlot()).getRangeMarkers(Layer.FOREGROUND);
        if (markers == null) return List.of();
        return markers.stream().map(m -> ((ValueMarker) m).getValue()).toList();
    }

    private static List<String> subtitles(ChartsViewModel c) {
        var out = new ArrayList<String>();
        for (Object t : c.chartProperty().get().getSubtitles()) if (t instanceof TextTitle x) out.add(x.getText());
        return out;
    }
}
