package dev.llmcw.ui.finetune;

import dev.llmcw.app.ModelHandle;
import dev.llmcw.report.LossCharts;
import dev.llmcw.ui.charts.ChartPane;
import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.common.FileDialogs;
import dev.llmcw.ui.common.Ui;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.ListChangeListener;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The Compress view's fine-tuning card: the CALDERA model to adapt, the settings, "Fine-tune…", and the live
 * loss chart of the run (training loss per step, held-out loss at each evaluation).
 */
public final class FinetunePane extends VBox {
    private final FinetuneViewModel vm;
    private final FileDialogs files;
    private final XYSeriesCollection series = LossCharts.series();
    private final ChartPane chart;

    public FinetunePane(FinetuneViewModel vm, FileDialogs files, ErrorReporter errors) {
        this.vm = vm;
        this.files = files;
        setId("finetune-pane");
        var model = new ComboBox<ModelHandle>(vm.adaptableModels());
        model.setId("finetune-model");
        model.valueProperty().bindBidirectional(vm.modelProperty());
        model.setPromptText("compress with CALDERA and ft_rank > 0 first");
        model.setPrefWidth(420);

        var grid = new GridPane();
        grid.setHgap(12);
        grid.setVgap(6);
        int row = 0;
        grid.addRow(row++, new Label("CALDERA model"), model);
        grid.addRow(row++, new Label("Training text"), fileField("finetune-train", vm.trainTextProperty()));
        grid.addRow(row++, new Label("Held-out text"), fileField("finetune-heldout", vm.heldOutTextProperty()));
        grid.addRow(row++, new Label("Training blocks"), field("finetune-blocks", vm.trainBlocksProperty(), "0 = all"));
        grid.addRow(row++, new Label("Epochs"), field("finetune-epochs", vm.epochsProperty(), ""));
        grid.addRow(row++, new Label("Learning rate"), field("finetune-lr", vm.lrProperty(), "peak, AdamW"));
        grid.addRow(row++, new Label("Block length"), field("finetune-block-len", vm.blockLenProperty(), "tokens"));
        grid.addRow(row++, new Label("Seed"), field("finetune-seed", vm.seedProperty(), "block order"));
        grid.addRow(row++, new Label("Evaluate every"), field("finetune-eval-every", vm.evalEveryProperty(), "steps"));
        var norms = new CheckBox("Also train the RMSNorm weights");
        norms.setId("finetune-train-norms");
        norms.selectedProperty().bindBidirectional(vm.trainNormsProperty());
        grid.addRow(row++, new Label(""), norms);
        grid.addRow(row++, new Label("Development text"), fileField("finetune-dev", vm.devTextProperty()));
        grid.addRow(
                row++,
                new Label("Block-wise first"),
                new HBox(
                        12,
                        check("finetune-blockwise-norms", "RMSNorm weights", vm.blockwiseNormsProperty()),
                        check("finetune-blockwise-hadamard", "Hadamard SU/SV", vm.blockwiseHadamardProperty())));
        grid.addRow(row, new Label(""), check("finetune-end-to-end", "End-to-end stage", vm.endToEndProperty()));

        var validation = Ui.banner("banner-error");
        validation.setId("finetune-validation");
        validation.textProperty().bind(vm.validationProperty());
        var run = new Button("Fine-tune…");
        run.setId("finetune-button");
        run.disableProperty().bind(vm.canStart().not());
        run.setMinWidth(Region.USE_PREF_SIZE); // the summary beside it wraps; the button keeps its label
        // stays on this page: the loss chart below is the run's live view (progress, ETA and cancel are in Jobs)
        run.setOnAction(e -> vm.start());
        var summary = Ui.subtle("");
        summary.setId("finetune-summary");
        summary.textProperty().bind(vm.summaryProperty());
        summary.setWrapText(true);

        chart = new ChartPane(files, errors, "finetune-loss-viewer");
        chart.setId("finetune-loss-chart");
        chart.setChart(LossCharts.chart("Fine-tuning loss", series));
        chart.setMinHeight(260);
        chart.setPrefHeight(300);
        vm.losses().addListener((ListChangeListener<FinetuneViewModel.LossPoint>) c -> {
            while (c.next()) {
                if (c.wasRemoved() && vm.losses().isEmpty()) {
                    series.getSeries(0).clear();
                    series.getSeries(1).clear();
                }
                if (c.wasAdded()) for (var p : c.getAddedSubList()) add(p);
            }
        });
        vm.losses().forEach(this::add);

        var body = new VBox(
                Ui.GAP,
                Ui.subtle("Trains the 16-bit leading components of L·R (ft_rank) on a text, Q frozen; the adapted"
                        + " model then appears in Evaluate. Runs in Jobs: cancel there, and Resume continues from the"
                        + " checkpoint. Block-wise first: each block learns to reproduce the original model's block"
                        + " on the development text (RMSNorm weights, Hadamard sign vectors) before the end-to-end"
                        + " stage."),
                grid,
                validation,
                new HBox(10, run, summary),
                chart);
        // Folded until there is a CALDERA model to adapt, so the Compress page keeps its height before then.
        var section = new TitledPane("Fine-tune (CALDERA low-rank adaptation)", body);
        section.setId("finetune-section");
        // unfolds at once: a sliding section moves the button while a click (or a scroll to it) is under way
        section.setAnimated(false);
        section.setExpanded(!vm.adaptableModels().isEmpty());
        vm.adaptableModels().addListener((ListChangeListener<ModelHandle>) c -> {
            if (!vm.adaptableModels().isEmpty()) section.setExpanded(true);
        });
        getChildren().add(section);
    }

    private void add(FinetuneViewModel.LossPoint p) {
        if (!Double.isNaN(p.train())) series.getSeries(0).addOrUpdate(p.step(), p.train());
        if (!Double.isNaN(p.heldOut())) series.getSeries(1).addOrUpdate(p.step(), p.heldOut());
    }

    /** The loss series shown (for tests: how many points the chart holds). */
    public XYSeriesCollection series() {
        return series;
    }

    private static CheckBox check(String id, String text, BooleanProperty value) {
        var c = new CheckBox(text);
        c.setId(id);
        c.selectedProperty().bindBidirectional(value);
        return c;
    }

    private static TextField field(String id, StringProperty value, String prompt) {
        var t = new TextField();
        t.setId(id);
        t.setPrefColumnCount(10);
        t.setPromptText(prompt);
        t.textProperty().bindBidirectional(value);
        return t;
    }

    private HBox fileField(String id, StringProperty value) {
        var t = field(id, value, "UTF-8 text file");
        t.setPrefColumnCount(28);
        var browse = new Button("Browse…");
        browse.setOnAction(e ->
                files.openFile(getScene().getWindow(), "Text file", "txt").ifPresent(p -> value.set(p.toString())));
        return new HBox(8, t, browse);
    }
}
