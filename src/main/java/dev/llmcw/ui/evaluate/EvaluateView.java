package dev.llmcw.ui.evaluate;

import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.common.FileDialogs;
import dev.llmcw.ui.common.Ui;
import dev.llmcw.ui.suites.ExecutorForm;
import javafx.collections.FXCollections;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.control.TextFormatter;
import javafx.scene.control.cell.CheckBoxListCell;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * Evaluate view: models, tasks, items per task (first N or a seeded random sample), seed, fidelity, dataset
 * files, and the executor (Local / Slurm, shared with the Suites view).
 */
public final class EvaluateView extends VBox {
    static final String FIRST_ITEMS = "first items (as lm-eval --limit)";
    static final String RANDOM_ITEMS = "random sample (seeded)";

    public EvaluateView(EvaluateViewModel vm, FileDialogs files, ErrorReporter errors, Runnable showJobs) {
        var models = new ListView<>(vm.models());
        models.setId("eval-models");
        models.setPrefHeight(140);
        models.setPlaceholder(new Label("No models yet: open one in Model, compress it in Compress."));
        models.setCellFactory(CheckBoxListCell.forListView(EvaluateViewModel.ModelChoice::selectedProperty));

        var tasks = new FlowPane(18, 10);
        tasks.setId("eval-tasks");
        for (var t : vm.tasks()) {
            var cb = new CheckBox(t.info().displayName());
            cb.setId("task-" + t.info().name());
            cb.selectedProperty().bindBidirectional(t.selectedProperty());
            cb.setDisable(!t.info().available());
            if (!t.info().available())
                cb.setTooltip(new javafx.scene.control.Tooltip(t.info().unavailableReason()));
            var open = new Button("File…");
            open.getStyleClass().add("small");
            open.setDisable(!t.info().available());
            open.setTooltip(new javafx.scene.control.Tooltip("Use a dataset file instead of the catalogue's copy"));
            var chosen = new Label();
            chosen.getStyleClass().add("subtle");
            open.setOnAction(e -> files.openFile(
                            getScene().getWindow(), "Dataset for " + t.info().displayName(), "jsonl", "txt", "parquet")
                    .ifPresent(p -> {
                        vm.datasetFiles().put(t.info().name(), p);
                        chosen.setText(p.getFileName().toString());
                    }));
            tasks.getChildren().add(new HBox(6, cb, open, chosen));
        }
        var limit = new Spinner<Integer>(0, 1_000_000, vm.limitProperty().get(), 10);
        limit.setId("eval-limit");
        limit.setEditable(true);
        // whole numbers only: a sign or a letter is not taken into the field (the view model refuses negatives too)
        limit.getEditor()
                .setTextFormatter(
                        new TextFormatter<String>(c -> c.getControlNewText().matches("\\d{0,9}") ? c : null));
        limit.valueProperty().addListener((o, a, v) -> vm.limitProperty().set(v == null ? 0 : v));
        vm.limitProperty().addListener((o, a, v) -> {
            if (!v.equals(limit.getValue())) limit.getValueFactory().setValue(v.intValue());
        });
        var subset = new ChoiceBox<String>(FXCollections.observableArrayList(FIRST_ITEMS, RANDOM_ITEMS));
        subset.setId("eval-subset");
        subset.setValue(vm.randomSampleProperty().get() ? RANDOM_ITEMS : FIRST_ITEMS);
        subset.valueProperty()
                .addListener((o, a, v) -> vm.randomSampleProperty().set(RANDOM_ITEMS.equals(v)));
        vm.randomSampleProperty().addListener((o, a, v) -> subset.setValue(v ? RANDOM_ITEMS : FIRST_ITEMS));
        var seed = new TextField();
        seed.setId("eval-seed");
        seed.textProperty().bindBidirectional(vm.seedTextProperty());
        var seedError = new Label();
        seedError.setId("eval-seed-error");
        seedError.getStyleClass().add("error-text");
        seedError.textProperty().bind(vm.seedErrorProperty());
        var fidelity = new CheckBox("Fidelity vs base model (KL, top-1 agreement, flipped answers)");
        fidelity.setId("eval-fidelity");
        fidelity.selectedProperty().bindBidirectional(vm.fidelityProperty());
        var dataLabel = new Label();
        dataLabel.setId("eval-data-dir");
        dataLabel
                .textProperty()
                .bind(javafx.beans.binding.Bindings.createStringBinding(
                        () -> vm.dataDirProperty().get() == null
                                ? "none found"
                                : vm.dataDirProperty().get().toString(),
                        vm.dataDirProperty()));
        var chooseData = new Button("Data folder…");
        chooseData.setOnAction(e -> files.openDirectory(
                        getScene().getWindow(), "Folder with evaluation data (laid out like datasets/)")
                .ifPresent(p -> vm.dataDirProperty().set(p)));
        var opts = new GridPane();
        opts.setHgap(12);
        opts.setVgap(8);
        opts.addRow(0, new Label("Items per task (0 = all)"), new HBox(8, limit, subset));
        opts.addRow(1, new Label("Seed (of a random sample)"), new HBox(8, seed, seedError));
        opts.add(fidelity, 0, 2, 2, 1);
        opts.addRow(3, new Label("Data"), new HBox(8, dataLabel, chooseData));

        var availability = Ui.banner("banner-warning");
        availability.setId("eval-availability");
        availability.textProperty().bind(vm.availabilityProperty());
        var run = new Button("Run evaluation");
        run.setId("run-eval");
        run.getStyleClass().add("accent");
        run.setOnAction(e -> {
            String problem = vm.problem();
            if (problem != null) {
                errors.error("Cannot start evaluation", problem);
                return;
            }
            vm.run();
            showJobs.run();
        });
        var page = Ui.page(
                Ui.heading("Evaluate"),
                Ui.subtle(
                        "Zero-shot log-likelihood scoring exactly as lm-evaluation-harness does it; results go to the results store."),
                availability,
                Ui.card("Models", models),
                Ui.card("Tasks", tasks),
                Ui.card("Options", opts),
                Ui.card("Where it runs", new ExecutorForm(vm.executor(), "eval-", "eval-")),
                new HBox(10, run));
        VBox.setVgrow(page, Priority.ALWAYS);
        getChildren().add(page);
    }
}
