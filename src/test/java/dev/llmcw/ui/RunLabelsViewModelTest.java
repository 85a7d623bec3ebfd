package dev.llmcw.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.app.RecentModels;
import dev.llmcw.report.RunRow;
import dev.llmcw.results.RunLabels;
import dev.llmcw.ui.task.SynchronousTaskExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.prefs.Preferences;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs in the Results view are named, tagged, hidden and deleted with Undo; the Charts view follows the selection. */
class RunLabelsViewModelTest {
    @TempDir
    Path dir;

    private final Preferences prefs =
            Preferences.userRoot().node("dev/llmcw/workbench/labelstest-" + System.nanoTime());
    private final List<String> errors = new ArrayList<>();
    private WorkbenchViewModel vm;

    @AfterEach
    void cleanPrefs() throws Exception {
        prefs.removeNode();
    }

    private static RunRow row(String id, String method, double bits, double acc) {
        return new RunRow(
                id,
                "stories260K",
                method,
                method.equals("base") ? Map.of() : Map.of("bits", Double.toString(bits)),
                bits,
                1000,
                "piqa",
                Map.of("acc", acc, "acc_stderr", 0.01),
                "2026-12-0" + id + "T10:00:00Z",
                new RunRow.Measured("first 100", 100, null));
    }

    @BeforeEach
    void workbenchWithThreeRuns() {
        var services = FakeServices.with(dir, new FakeServices.FakeCompression(), new FakeServices.FakeEvaluation());
        vm = new WorkbenchViewModel(
                services, new SynchronousTaskExecutor(), (t, m) -> errors.add(t + ": " + m), new RecentModels(prefs));
        services.results()
                .record(
                        List.of(row("1", "rtn", 4, 0.60), row("2", "rtn", 3, 0.55), row("3", "rtn", 2, 0.50)),
                        List.of());
        vm.results().refresh();
    }

    private List<String> ids() {
        return vm.results().runs().stream().map(RunRow::runId).toList();
    }

    private RunRow run(String id) {
        return vm.results().runs().stream()
                .filter(r -> r.runId().equals(id))
                .findFirst()
                .orElseThrow();
    }

    /** The bits per weight of the points the chart draws (a point may be in several datasets: markers, error bars). */
    private List<Double> chartedBits() {
        var plot = (XYPlot) vm.charts().chartProperty().get().getPlot();
        var xs = new ArrayList<Double>();
        for (int d = 0; d < plot.getDatasetCount(); d++) {
            var ds = plot.getDataset(d);
            if (ds == null) continue;
            for (int s = 0; s < ds.getSeriesCount(); s++)
                for (int i = 0; i < ds.getItemCount(s); i++) xs.add(ds.getXValue(s, i));
        }
        return xs.stream().distinct().sorted().toList();
    }

    @Test
    void nameTagsAndNotesAreSavedAndReadBack() {
        vm.results().rename(run("1"), "  4-bit RTN ");
        vm.results().setTags(run("1"), "paper, fig 3,paper");
        vm.results().setNotes(run("1"), "first try");

        vm.results().refresh();
        assertThat(vm.results().labelsOf(run("1")))
                .isEqualTo(new RunLabels("4-bit RTN", List.of("paper", "fig 3"), "first try", false));
        assertThat(vm.results().labelsOf(run("2"))).isEqualTo(RunLabels.NONE);
        assertThat(errors).isEmpty();
    }

    @Test
    void hiddenRunsLeaveTableAndChartUnlessShowHiddenIsTicked() {
        assertThat(chartedBits()).containsExactly(2.0, 3.0, 4.0);
        vm.results().setHidden(List.of(run("2")), true);
        assertThat(ids()).containsExactly("1", "3");
        assertThat(chartedBits()).containsExactly(2.0, 4.0);

        vm.results().refresh();
        assertThat(ids()).as("hidden is stored, not only shown").containsExactly("1", "3");

        vm.results().showHiddenProperty().set(true);
        assertThat(ids()).containsExactly("1", "2", "3");
        vm.results().setHidden(List.of(run("2")), false);
        vm.results().showHiddenProperty().set(false);
        assertThat(ids()).containsExactly("1", "2", "3");
    }

    @Test
    void deleteCanBeUndoneUntilItIsFinished() {
        vm.results().deleteRun(run("2"));
        assertThat(ids()).containsExactly("1", "3");
        assertThat(vm.results().pendingDeleteProperty().get().runId()).isEqualTo("2");
        vm.results().refresh();
        assertThat(ids()).as("a refresh does not bring a pending delete back").containsExactly("1", "3");

        vm.results().undoDelete();
        assertThat(ids()).containsExactly("1", "2", "3");
        vm.results().refresh();
        assertThat(ids()).as("undone: still stored").containsExactly("1", "2", "3");

        vm.results().deleteRun(run("2"));
        vm.results().deleteRun(run("3"));
        assertThat(ids()).as("the next delete finishes the first").containsExactly("1");
        vm.results().refresh();
        assertThat(ids()).as("run 2 is gone from the store, 3 still pending").containsExactly("1");
        vm.results().undoDelete();
        vm.results().refresh();
        assertThat(ids()).containsExactly("1", "3");
        assertThat(errors).isEmpty();
    }

    @Test
    void chartsDrawTheSelectedRunsOrAllVisibleWhenNone() {
        vm.results().select(List.of(run("1"), run("3")));
        assertThat(chartedBits()).containsExactly(2.0, 4.0);
        vm.results().select(List.of(run("2")));
        assertThat(chartedBits()).containsExactly(3.0);
        vm.results().select(List.of());
        assertThat(chartedBits()).containsExactly(2.0, 3.0, 4.0);
    }
}
