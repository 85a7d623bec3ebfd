package dev.llmcw.ui.compress;

import dev.llmcw.app.CompressionService.MethodInfo;
import dev.llmcw.compress.MethodParameter;
import dev.llmcw.ui.common.FileDialogs;
import dev.llmcw.ui.common.Ui;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** Compress view: method, preset or custom knobs with validation, and the live size estimate. */
public final class CompressView extends VBox {
    private final CompressViewModel vm;
    private final FileDialogs files;
    private final GridPane grid = new GridPane();
    private final ToggleButton advanced = new ToggleButton("Show advanced settings");

    /** @param below cards shown under the compression settings (the fine-tuning step) */
    public CompressView(CompressViewModel vm, FileDialogs files, Runnable showJobs, Node... below) {
        this.vm = vm;
        this.files = files;
        var method = new ComboBox<>(vm.methods());
        method.setId("method-choice");
        method.valueProperty().bindBidirectional(vm.methodProperty());
        method.setCellFactory(l -> methodCell());
        method.setButtonCell(methodCell());
        var preset = new ComboBox<>(vm.presets());
        preset.setId("preset-choice");
        preset.valueProperty().bindBidirectional(vm.presetProperty());
        preset.setPromptText("Custom");
        preset.setPrefWidth(320);
        var availability = Ui.banner("banner-warning");
        availability.setId("compress-availability");
        availability.textProperty().bind(vm.availabilityProperty());

        var top = new GridPane();
        top.setHgap(12);
        top.setVgap(8);
        top.addRow(0, new Label("Method"), method);
        top.addRow(1, new Label("Bit-width preset"), preset);

        grid.setHgap(12);
        grid.setVgap(8);
        grid.getColumnConstraints()
                .addAll(new ColumnConstraints(170), new ColumnConstraints(200), new ColumnConstraints());
        advanced.setId("advanced-toggle");
        advanced.selectedProperty().addListener((o, a, b) -> buildFields());
        vm.fields().addListener((ListChangeListener<CompressViewModel.ParamField>) c -> buildFields());
        buildFields();
        var validation = Ui.banner("banner-error");
        validation.setId("compress-validation");
        validation.textProperty().bind(vm.validationProperty());

        var estimate = new Label();
        estimate.setId("size-estimate");
        estimate.getStyleClass().add("estimate");
        estimate.setWrapText(true);
        estimate.textProperty().bind(vm.estimateProperty());
        var estimateDetail = Ui.subtle("");
        estimateDetail.setId("size-estimate-detail");
        estimateDetail.textProperty().bind(vm.estimateDetailProperty());
        var sizeWarning = Ui.banner("banner-warning");
        sizeWarning.setId("size-warning");
        sizeWarning.textProperty().bind(vm.sizeWarningProperty());
        var calibrationWarning = Ui.banner("banner-warning");
        calibrationWarning.setId("calibration-warning");
        calibrationWarning.textProperty().bind(vm.calibrationWarningProperty());

        var run = new Button("Compress");
        run.setId("compress-button");
        run.getStyleClass().add("accent");
        run.disableProperty().bind(vm.canCompress().not());
        run.setOnAction(e -> {
            vm.compress();
            showJobs.run();
        });
        var settingsCard = Ui.card("Settings", top, new HBox(advanced), grid, validation, calibrationWarning);
        var estimateCard = Ui.card(
                "Resulting size (from the method's own size accounting, before anything runs)",
                estimate,
                sizeWarning,
                estimateDetail,
                new HBox(10, run, Ui.subtle("Runs in Jobs; the compressed model then appears in Evaluate.")));
        var page = Ui.page(
                Ui.heading("Compress"),
                Ui.subtle(
                        "SeedLM (data-free, pseudo-random generator seeds), CALDERA (low-rank + low-precision), and the RTN / GPTQ baselines."),
                availability,
                settingsCard,
                estimateCard);
        page.getChildren().addAll(below);
        getChildren().add(page);
        VBox.setVgrow(getChildren().getFirst(), Priority.ALWAYS);
    }

    private static ListCell<MethodInfo> methodCell() {
        return new ListCell<>() {
            @Override
            protected void updateItem(MethodInfo m, boolean empty) {
                super.updateItem(m, empty);
                setText(
                        empty || m == null
                                ? null
                                : m.available() ? m.displayName() : m.displayName() + " (not available)");
            }
        };
    }

    private void buildFields() {
        grid.getChildren().clear();
        int row = 0;
        for (var f : vm.fields()) {
            var spec = f.spec();
            if (spec.advanced() && !advanced.isSelected()) continue;
            var label = new Label(spec.label());
            javafx.scene.control.Control field;
            if (!spec.options().isEmpty()) {
                // a knob with a fixed set of values is a choice, not free text
                var choice = new ComboBox<String>(javafx.collections.FXCollections.observableArrayList(spec.options()));
                choice.valueProperty().bindBidirectional(f.valueProperty());
                field = choice;
            } else {
                var text = new TextField();
                text.textProperty().bindBidirectional(f.valueProperty());
                text.setPromptText(spec.type() == MethodParameter.Type.FILE ? "default" : spec.defaultValue());
                field = text;
            }
            field.setId("param-" + spec.key());
            f.errorProperty()
                    .addListener((o, a, e) -> field.pseudoClassStateChanged(
                            javafx.css.PseudoClass.getPseudoClass("invalid"), !e.isEmpty()));
            field.pseudoClassStateChanged(
                    javafx.css.PseudoClass.getPseudoClass("invalid"),
                    !f.errorProperty().get().isEmpty());
            var help = Ui.subtle(spec.help());
            if (spec.type() == MethodParameter.Type.FILE) {
                var browse = new Button("Browse…");
                browse.setOnAction(e -> files.openFile(getScene().getWindow(), spec.label(), "txt", "jsonl")
                        .ifPresent(p -> f.valueProperty().set(p.toString())));
                grid.addRow(row++, label, field, new HBox(8, browse, help));
            } else {
                grid.addRow(row++, label, field, help);
            }
        }
        grid.setPadding(new Insets(4, 0, 0, 0));
    }
}
