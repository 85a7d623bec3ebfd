package dev.llmcw.ui.charts;

import dev.llmcw.report.ChartExport;
import dev.llmcw.report.Formats;
import dev.llmcw.report.ReferencePoint;
import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.common.FileDialogs;
import dev.llmcw.ui.common.Ui;
import java.util.List;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** Charts view: model, chart kind, task and metric, the chart itself, export, and the paper-points editor. */
public final class ChartsView extends VBox {
    private final ChartPane chartPane;

    public ChartsView(ChartsViewModel vm, FileDialogs files, ErrorReporter errors) {
        chartPane = new ChartPane(files, errors);
        chartPane.setChart(vm.chartProperty().get());
        vm.chartProperty().addListener((o, a, c) -> chartPane.setChart(c));

        var kind = new ComboBox<ChartsViewModel.Kind>();
        kind.getItems().setAll(ChartsViewModel.Kind.values());
        kind.setId("chart-kind");
        kind.valueProperty().bindBidirectional(vm.kindProperty());
        var model = new ComboBox<>(vm.models());
        model.setId("chart-model");
        model.valueProperty().bindBidirectional(vm.modelProperty());
        model.setPromptText("model");
        model.setMaxWidth(280); // long model names must not squeeze the other controls to "..."
        model.setPrefWidth(220);
        model.setTooltip(new javafx.scene.control.Tooltip(
                "Whose runs the chart shows: one model family (with its uncompressed reference), or all"));
        var task = new ComboBox<>(vm.tasks());
        task.setId("chart-task");
        task.valueProperty().bindBidirectional(vm.taskProperty());
        task.setPromptText("task");
        var metric = new ComboBox<>(vm.metrics());
        metric.setId("chart-metric");
        metric.valueProperty().bindBidirectional(vm.metricProperty());
        metric.setPromptText("metric");
        var protocol = new ComboBox<>(vm.protocols());
        protocol.setId("chart-protocol");
        protocol.valueProperty().bindBidirectional(vm.protocolProperty());
        protocol.setPromptText("protocol");
        protocol.setMaxWidth(240);
        protocol.setTooltip(
                new javafx.scene.control.Tooltip(
                        "Which items and scoring options the runs were measured with; values of different protocols are not comparable"));
        var status = Ui.subtle("");
        status.setId("chart-status");
        status.textProperty().bind(vm.statusProperty());
        // A flow, not a row: on a narrow window (1024 px) the choosers and export buttons wrap to a second line.
        var bar = new FlowPane(
                10,
                8,
                new Label("Model"),
                model,
                new Label("Chart"),
                kind,
                new Label("Task"),
                task,
                new Label("Metric"),
                metric,
                new Label("Protocol"),
                protocol,
                Ui.spacer());
        bar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        for (var n : bar.getChildren()) {
            if (n instanceof Label l) l.setMinWidth(Label.USE_PREF_SIZE);
            else if (n instanceof ComboBox<?> c && c != model && c != protocol) c.setMinWidth(ComboBox.USE_PREF_SIZE);
        }
        // Layout only (fit branch): the export size, then the export buttons.
        var figureSize = new FigureSizeChoice();
        figureSize
                .valueProperty()
                .addListener(
                        (o, a, b) -> chartPane.setFigureSize(figureSize.size().orElse(null)));
        bar.getChildren().add(figureSize);
        for (ChartExport.Format f : ChartExport.Format.values()) {
            var b = new Button(f.name());
            b.setId("export-button-" + f.extension());
            b.setTooltip(new javafx.scene.control.Tooltip("Export this chart as " + f.name()));
            b.setOnAction(e -> files.saveFile(
                            getScene().getWindow(),
                            "Export chart as " + f.name(),
                            "chart." + f.extension(),
                            f.extension())
                    .ifPresent(p -> chartPane.export(p, errors)));
            b.setMinWidth(Button.USE_PREF_SIZE);
            bar.getChildren().add(b);
        }

        var chartCard = Ui.card(null, chartPane, status);
        VBox.setVgrow(chartPane, Priority.ALWAYS);
        var body = new BorderPane(chartCard);
        body.setRight(paperEditor(vm));
        BorderPane.setMargin(body.getRight(), new javafx.geometry.Insets(0, 0, 0, Ui.GAP));
        VBox.setVgrow(body, Priority.ALWAYS);
        var page = Ui.page(Ui.heading("Charts"), bar, body);
        VBox.setVgrow(page, Priority.ALWAYS);
        getChildren().add(page);
    }

    public ChartPane chartPane() {
        return chartPane;
    }

    private static TitledPane paperEditor(ChartsViewModel vm) {
        var table = new TableView<>(vm.paperPoints());
        table.setId("paper-points");
        table.setPlaceholder(new Label("No paper points.\nAdd numbers a paper reports\nto compare against."));
        table.getColumns()
                .setAll(List.of(
                        col("Method", 64, ReferencePoint::method),
                        col("Task", 52, ReferencePoint::task),
                        col("Metric", 52, ReferencePoint::metric),
                        col("Bits", 44, p -> Formats.bits(p.bitsPerWeight())),
                        col("Value", 52, p -> Formats.value(p.value()))));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPrefHeight(200);
        var source = new TextField();
        source.setId("paper-source");
        source.setPromptText("source, e.g. SeedLM Table 3");
        var method = new TextField();
        method.setId("paper-method");
        method.setPromptText("method, e.g. SeedLM");
        var task = new TextField();
        task.setPromptText("task");
        task.textProperty()
                .bind(javafx.beans.binding.Bindings.createStringBinding(
                        () -> vm.taskProperty().get() == null
                                ? ""
                                : vm.taskProperty().get(),
                        vm.taskProperty()));
        task.setEditable(false);
        var metric = new TextField();
        metric.setPromptText("metric");
        metric.textProperty()
                .bind(javafx.beans.binding.Bindings.createStringBinding(
                        () -> vm.metricProperty().get() == null
                                ? ""
                                : vm.metricProperty().get(),
                        vm.metricProperty()));
        metric.setEditable(false);
        var bits = new TextField();
        bits.setId("paper-bits");
        bits.setPromptText("bits/weight");
        var value = new TextField();
        value.setId("paper-value");
        value.setPromptText("value");
        var error = new Label();
        error.setId("paper-error");
        error.getStyleClass().add("error-text");
        error.setWrapText(true);
        var add = new Button("Add point");
        add.setId("paper-add");
        add.setOnAction(e -> {
            String problem = vm.addPaperPoint(source.getText(), method.getText(), bits.getText(), value.getText());
            error.setText(problem == null ? "" : problem);
            if (problem == null) {
                bits.clear();
                value.clear();
            }
        });
        var remove = new Button("Remove");
        remove.setOnAction(
                e -> vm.paperPoints().removeAll(table.getSelectionModel().getSelectedItems()));
        var form = new GridPane();
        form.setHgap(6);
        form.setVgap(6);
        form.addRow(0, new Label("Source"), source);
        form.addRow(1, new Label("Method"), method);
        form.addRow(2, new Label("Task"), task);
        form.addRow(3, new Label("Metric"), metric);
        form.addRow(4, new Label("Bits/w"), bits);
        form.addRow(5, new Label("Value"), value);
        var saved = Ui.subtle("");
        saved.setId("paper-status");
        saved.textProperty().bind(vm.paperStatusProperty());
        var box = new VBox(
                8,
                Ui.subtle(
                        "Numbers reported by papers for the chart's task and metric, drawn as hollow diamonds "
                                + "in a series of their own. Entered by you, never computed; kept in the workspace and exported with reports."),
                table,
                form,
                new HBox(6, add, remove),
                error,
                saved);
        box.setPrefWidth(300);
        var tp = new TitledPane("Paper-reported points", box);
        tp.setCollapsible(true);
        tp.setExpanded(true);
        return tp;
    }

    private static TableColumn<ReferencePoint, String> col(String name, double w, Function<ReferencePoint, String> f) {
        var c = new TableColumn<ReferencePoint, String>(name);
        c.setCellValueFactory(d -> new ReadOnlyStringWrapper(f.apply(d.getValue())));
        c.setPrefWidth(w);
        return c;
    }
}
