package dev.llmcw.ui;

import dev.llmcw.ui.charts.ChartsView;
import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.common.FileDialogs;
import dev.llmcw.ui.common.FitScroll;
import dev.llmcw.ui.compress.CompressView;
import dev.llmcw.ui.evaluate.EvaluateView;
import dev.llmcw.ui.finetune.FinetunePane;
import dev.llmcw.ui.jobs.JobsView;
import dev.llmcw.ui.model.ModelView;
import dev.llmcw.ui.results.ResultsView;
import dev.llmcw.ui.suites.SuitesView;
import dev.llmcw.util.BuildInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/**
 * The main window: navigation on the left, one view in the centre, status bar at the bottom. Views are
 * created once and kept, so switching views never stops or forgets anything.
 */
public final class MainWindow extends BorderPane {
    public enum Page {
        MODEL,
        COMPRESS,
        EVALUATE,
        SUITES,
        JOBS,
        RESULTS,
        CHARTS
    }

    private final Map<Page, Node> pages = new LinkedHashMap<>();
    private final Map<Page, ToggleButton> buttons = new LinkedHashMap<>();
    private final StackPane centre = new StackPane();
    private final ChartsView chartsView;

    public MainWindow(WorkbenchViewModel vm, FileDialogs files, ErrorReporter errors) {
        getStyleClass().add("main-window");
        pages.put(Page.MODEL, new ModelView(vm.model(), files, vm::startDemo));
        pages.put(
                Page.COMPRESS,
                new CompressView(
                        vm.compress(), files, () -> show(Page.JOBS), new FinetunePane(vm.finetune(), files, errors)));
        pages.put(Page.EVALUATE, new EvaluateView(vm.evaluate(), files, errors, () -> show(Page.JOBS)));
        pages.put(Page.SUITES, new SuitesView(vm.suites(), files, () -> show(Page.JOBS)));
        pages.put(Page.JOBS, new JobsView(vm.jobs()));
        pages.put(Page.RESULTS, new ResultsView(vm.results(), files, errors, (rows, dir) -> {
            try {
                return vm.charts().writeReport(rows, dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
        chartsView = new ChartsView(vm.charts(), files, errors);
        pages.put(Page.CHARTS, chartsView);
        // Each page scrolls when the window is smaller than it (1024×700 desktops); see FitScroll.
        pages.replaceAll((p, view) -> FitScroll.of((Region) view));
        centre.getChildren().addAll(pages.values());
        centre.getStyleClass().add("centre");

        var nav = new VBox(2);
        nav.getStyleClass().add("nav");
        var brand = new Label("LLM Compression\nWorkbench");
        brand.getStyleClass().add("brand");
        var demoBadge = new Label("DEMO");
        demoBadge.getStyleClass().add("demo-badge");
        demoBadge.setId("demo-badge");
        demoBadge.visibleProperty().bind(vm.demoProperty());
        demoBadge.managedProperty().bind(vm.demoProperty());
        nav.getChildren().addAll(brand, demoBadge);
        var group = new ToggleGroup();
        String[][] labels = {
            {"Model", "open, generate, download"},
            {"Compress", "SeedLM · CALDERA · baselines"},
            {"Evaluate", "zero-shot tasks, perplexity"},
            {"Suites", "sweeps from YAML/JSON files"},
            {"Jobs", "queue, progress, logs"},
            {"Results", "runs, compare, items"},
            {"Charts", "accuracy vs size"}
        };
        int i = 0;
        for (Page p : Page.values()) {
            var title = new Label(labels[i][0]);
            title.getStyleClass().add("nav-title");
            var sub = new Label(labels[i][1]);
            sub.getStyleClass().add("nav-sub");
            var b = new ToggleButton();
            b.setGraphic(new VBox(1, title, sub));
            b.setToggleGroup(group);
            b.setId("nav-" + p.name().toLowerCase(Locale.ROOT));
            b.getStyleClass().add("nav-button");
            b.setMaxWidth(Double.MAX_VALUE);
            b.setOnAction(e -> show(p));
            buttons.put(p, b);
            nav.getChildren().add(b);
            i++;
        }
        // Job count badge on the Jobs button.
        var active = vm.jobs().activeCount();
        var jobsBadge = new Label();
        jobsBadge.getStyleClass().add("nav-badge");
        jobsBadge.textProperty().bind(active.asString());
        jobsBadge.visibleProperty().bind(active.greaterThan(0));
        ((VBox) buttons.get(Page.JOBS).getGraphic())
                .getChildren()
                .set(
                        0,
                        new HBox(
                                6,
                                ((VBox) buttons.get(Page.JOBS).getGraphic())
                                        .getChildren()
                                        .getFirst(),
                                jobsBadge));
        var version = new Label("version " + BuildInfo.version());
        version.getStyleClass().add("nav-sub");
        var filler = new VBox();
        VBox.setVgrow(filler, Priority.ALWAYS);
        nav.getChildren().addAll(filler, version);
        nav.setPadding(new Insets(14, 8, 10, 8));
        nav.setPrefWidth(232);
        nav.setMinWidth(232);

        var statusText = new Label();
        statusText.setId("status-text");
        statusText.textProperty().bind(vm.statusText());
        var progress = new ProgressBar();
        progress.setPrefWidth(140);
        progress.visibleProperty().bind(active.greaterThan(0));
        var status = new HBox(10, statusText, new javafx.scene.layout.Region(), progress);
        HBox.setHgrow(status.getChildren().get(1), Priority.ALWAYS);
        status.getStyleClass().add("status-bar");
        status.setAlignment(Pos.CENTER_LEFT);

        setLeft(nav);
        setCenter(centre);
        setBottom(status);
        show(Page.MODEL);
    }

    public void show(Page p) {
        pages.forEach((k, n) -> n.setVisible(k == p));
        buttons.get(p).setSelected(true);
    }

    public ChartsView chartsView() {
        return chartsView;
    }

    public int pageCount() {
        return pages.size();
    }
}
