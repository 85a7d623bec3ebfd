package dev.llmcw.ui.suites;

import dev.llmcw.ui.common.FileDialogs;
import dev.llmcw.ui.common.Ui;
import javafx.beans.binding.Bindings;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** Suites view: open, edit, validate, save and run a suite file (the same files as {@code workbench suite}). */
public final class SuitesView extends VBox {
    public SuitesView(SuitesViewModel vm, FileDialogs files, Runnable showJobs) {
        var open = new Button("Open…");
        open.setId("suite-open");
        open.setOnAction(e -> files.openFile(getScene().getWindow(), "Open suite file", "yaml", "yml", "json")
                .ifPresent(vm::open));
        var validate = new Button("Validate");
        validate.setId("suite-validate");
        validate.setOnAction(e -> vm.validate());
        var save = new Button("Save");
        save.setId("suite-save");
        save.disableProperty().bind(vm.hasFile().not());
        save.setOnAction(e -> vm.save());
        var saveAs = new Button("Save as…");
        saveAs.setId("suite-save-as");
        saveAs.setOnAction(e -> files.saveFile(
                        getScene().getWindow(),
                        "Save suite file",
                        vm.fileProperty().get() == null
                                ? "suite.yaml"
                                : vm.fileProperty().get().getFileName().toString(),
                        "yaml",
                        "json")
                .ifPresent(vm::saveAs));
        var run = new Button("Run suite");
        run.setId("suite-run");
        run.getStyleClass().add("accent");
        run.setOnAction(e -> vm.run().ifPresent(j -> showJobs.run()));

        var preset = new ComboBox<String>();
        preset.setId("suite-preset");
        preset.getItems().setAll(vm.presets());
        preset.getSelectionModel().selectFirst();
        var presetModel = new Button();
        presetModel.setId("suite-preset-model");
        presetModel
                .textProperty()
                .bind(Bindings.createStringBinding(
                        () -> vm.presetModelProperty().get() == null
                                ? "Model…"
                                : vm.presetModelProperty().get().getFileName().toString(),
                        vm.presetModelProperty()));
        presetModel.setOnAction(
                e -> files.openFile(getScene().getWindow(), "Model for the preset", "bin", "gguf", "safetensors")
                        .ifPresent(vm.presetModelProperty()::set));
        var presetLimit = new TextField();
        presetLimit.setId("suite-preset-limit");
        presetLimit.setPromptText("items per task (blank: all)");
        presetLimit
                .textProperty()
                .addListener((o, a, v) -> vm.presetLimitProperty()
                        .set(v.isBlank() || !v.strip().matches("[1-9][0-9]*") ? null : Integer.valueOf(v.strip())));
        var loadPreset = new Button("Load preset");
        loadPreset.setId("suite-preset-load");
        loadPreset.setOnAction(e -> vm.loadPreset(preset.getValue()));
        var runPreset = new Button("Run preset");
        runPreset.setId("suite-preset-run");
        runPreset.setOnAction(e -> vm.runPreset(preset.getValue()).ifPresent(j -> showJobs.run()));

        var title = new Label();
        title.setId("suite-file");
        title.getStyleClass().add("subtle");
        title.textProperty().bind(vm.title());

        var editor = new TextArea();
        editor.setId("suite-editor");
        editor.setStyle("-fx-font-family: monospace;");
        editor.textProperty().bindBidirectional(vm.textProperty());
        editor.setPrefRowCount(24);
        VBox.setVgrow(editor, Priority.ALWAYS);

        var summary = new Label();
        summary.setId("suite-summary");
        summary.setWrapText(true);
        summary.textProperty().bind(vm.summaryProperty());
        vm.validProperty().addListener((o, a, ok) -> summary.setStyle(ok ? "" : "-fx-text-fill: #b3261e;"));
        var executorLine = new Label();
        executorLine.setId("suite-executor-line");
        executorLine.setWrapText(true);
        executorLine.textProperty().bind(vm.executorLineProperty());
        var report = new Label();
        report.setId("suite-report");
        report.setWrapText(true);
        report.getStyleClass().add("subtle");
        report.textProperty().bind(vm.lastReportProperty());

        var page = Ui.page(
                Ui.heading("Suites"),
                Ui.subtle("Sweeps of models × method settings × tasks (YAML or JSON, paths relative to the file). "
                        + "Runs go to the results store; stored compressions and finished runs are reused."),
                new HBox(8, open, validate, save, saveAs, Ui.spacer(), run),
                new HBox(8, new Label("Paper presets:"), preset, presetModel, presetLimit, loadPreset, runPreset),
                new ExecutorForm(vm.executor()),
                title,
                editor,
                summary,
                executorLine,
                report);
        VBox.setVgrow(page, Priority.ALWAYS);
        getChildren().add(page);
    }
}
