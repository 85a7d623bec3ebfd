package dev.llmcw.ui.model;

import dev.llmcw.app.CatalogService;
import dev.llmcw.report.Formats;
import dev.llmcw.ui.common.FileDialogs;
import dev.llmcw.ui.common.Ui;
import java.nio.file.Path;
import java.util.List;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ChoiceDialog;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** Model view: open (chooser, drag and drop, recent), generate synthetic, download, and the model card. */
public final class ModelView extends BorderPane {
    public ModelView(ModelViewModel vm, FileDialogs files, Runnable startDemo) {
        getStyleClass().add("model-view");
        var openFile = new Button("Open model file…");
        openFile.setId("open-model-file");
        openFile.getStyleClass().add("accent");
        openFile.setOnAction(e -> files.openFile(
                        getScene().getWindow(),
                        "Open model (llama2.c .bin, GGUF, compressed .safetensors)",
                        "bin",
                        "gguf",
                        "safetensors")
                .ifPresent(vm::open));
        var openFolder = new Button("Open Hugging Face folder…");
        openFolder.setId("open-model-folder");
        openFolder.setOnAction(e -> files.openDirectory(getScene().getWindow(), "Open Hugging Face model folder")
                .ifPresent(vm::open));
        var synth = new Button("Generate SYNTHETIC model…");
        synth.setId("generate-synthetic");
        synth.setOnAction(e -> {
            if (!vm.syntheticAvailable()) {
                info("Synthetic models not available", "The synthetic model generator is not in this build yet.");
                return;
            }
            var d = new ChoiceDialog<>(vm.syntheticPresets().getFirst(), vm.syntheticPresets());
            d.setTitle("Generate SYNTHETIC model");
            d.setHeaderText(
                    "Random weights with a real architecture, for trying the workflow.\nIts accuracy numbers mean nothing.");
            d.showAndWait().ifPresent(p -> vm.generateSynthetic(p, 1234));
        });
        var download = new Button("Download…");
        download.setId("download-model");
        download.setOnAction(e -> showCatalog(vm));
        var demo = new Button("Start DEMO workspace");
        demo.setId("start-demo");
        demo.getStyleClass().add("demo-button");
        demo.setOnAction(e -> startDemo.run());
        var busy = new ProgressIndicator();
        busy.setPrefSize(20, 20);
        busy.visibleProperty().bind(vm.busyProperty());
        // A flow rather than a ToolBar: a ToolBar hides what does not fit behind ">>" (the DEMO button at
        // 1024 px); a flow wraps it to a second line.
        var tools = new FlowPane(8, 6, openFile, openFolder, synth, download, demo, busy);
        tools.getStyleClass().add("tool-bar");
        tools.setPadding(new Insets(8, 10, 8, 10));

        var recent = new ListView<>(vm.recent());
        recent.setId("recent-models");
        recent.setPlaceholder(new Label("No recent models"));
        recent.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(Path p, boolean empty) {
                super.updateItem(p, empty);
                setText(empty || p == null ? null : p.getFileName().toString());
                setTooltip(empty || p == null ? null : new javafx.scene.control.Tooltip(p.toString()));
            }
        });
        recent.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2 && recent.getSelectionModel().getSelectedItem() != null) {
                vm.open(recent.getSelectionModel().getSelectedItem());
            }
        });
        var recentCard = Ui.card("Recent models", recent, Ui.subtle("Double-click to open."));
        VBox.setVgrow(recent, Priority.ALWAYS);
        recentCard.setPrefWidth(260);

        var table = new TableView<>(vm.card());
        table.setId("model-card");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPlaceholder(
                new Label("Open a model: use the buttons above or drop a model file or folder anywhere here."));
        var k = new TableColumn<ModelViewModel.CardRow, String>("Property");
        k.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().property()));
        k.setPrefWidth(180);
        k.setMaxWidth(260);
        var v = new TableColumn<ModelViewModel.CardRow, String>("Value");
        v.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().value()));
        table.getColumns().setAll(List.of(k, v));
        var title = new Label();
        title.getStyleClass().add("model-title");
        title.setId("model-title");
        title.textProperty().bind(vm.headingProperty());
        var status = Ui.subtle("");
        status.setId("model-status");
        status.textProperty().bind(vm.statusProperty());
        var cardBox = Ui.card("Model card", title, table, status);
        VBox.setVgrow(table, Priority.ALWAYS);
        HBox.setHgrow(cardBox, Priority.ALWAYS);

        var welcome = Ui.banner("banner-info");
        welcome.setId("first-start");
        welcome.textProperty()
                .bind(javafx.beans.binding.Bindings.createStringBinding(
                        () -> vm.recent().isEmpty() && vm.session().baseModel() == null
                                ? "First start? \"Start DEMO workspace\" (in the top bar) works offline: it generates a small SYNTHETIC model "
                                        + "and uses this repository's sample datasets, so you can compress (SeedLM 4-bit), evaluate (PIQA samples) "
                                        + "and see the accuracy-vs-bits chart in a couple of minutes. Demo numbers are labelled DEMO/SYNTHETIC."
                                : "",
                        vm.recent(),
                        vm.session().baseModelProperty()));
        var body = new HBox(Ui.GAP, recentCard, cardBox);
        VBox.setVgrow(body, Priority.ALWAYS);
        setTop(tools);
        setCenter(Ui.page(
                Ui.heading("Model"),
                Ui.subtle("Hugging Face folders (safetensors), GGUF files, llama2.c checkpoints "
                        + "and compressed models written by this workbench."),
                welcome,
                body));

        setOnDragOver(e -> {
            if (e.getDragboard().hasFiles()) e.acceptTransferModes(TransferMode.COPY);
            e.consume();
        });
        setOnDragDropped(e -> {
            var fs = e.getDragboard().getFiles();
            if (fs != null && !fs.isEmpty()) vm.open(fs.getFirst().toPath());
            e.setDropCompleted(fs != null && !fs.isEmpty());
            e.consume();
        });
    }

    private void showCatalog(ModelViewModel vm) {
        vm.refreshCatalog();
        var d = new Dialog<CatalogService.Entry>();
        d.setTitle("Download a model");
        d.initOwner(getScene().getWindow());
        var list = new TableView<>(vm.catalog());
        list.setId("catalog-table");
        list.setPlaceholder(new Label(vm.catalogStatusProperty().get()));
        var id = new TableColumn<CatalogService.Entry, String>("Model");
        id.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().id()));
        var desc = new TableColumn<CatalogService.Entry, String>("Description");
        desc.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().description()));
        var size = new TableColumn<CatalogService.Entry, String>("Size");
        size.setCellValueFactory(
                c -> new ReadOnlyStringWrapper(Formats.size(c.getValue().bytes())));
        var lic = new TableColumn<CatalogService.Entry, String>("Licence");
        lic.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().licence()));
        var have = new TableColumn<CatalogService.Entry, String>("Local");
        have.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().downloaded() ? "yes" : ""));
        list.getColumns().setAll(List.of(id, desc, size, lic, have));
        list.setPrefSize(720, 320);
        var status = Ui.subtle(vm.catalogStatusProperty().get());
        d.getDialogPane()
                .setContent(new VBox(
                        8, list, status, Ui.subtle("Downloads run in Jobs with progress; the model opens when done.")));
        var downloadButton = new ButtonType("Download", javafx.scene.control.ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().addAll(downloadButton, ButtonType.CANCEL);
        d.getDialogPane()
                .lookupButton(downloadButton)
                .disableProperty()
                .bind(list.getSelectionModel().selectedItemProperty().isNull());
        d.setResultConverter(b -> b == downloadButton ? list.getSelectionModel().getSelectedItem() : null);
        d.showAndWait().ifPresent(vm::download);
    }

    private void info(String title, String text) {
        var a = new javafx.scene.control.Alert(javafx.scene.control.Alert.AlertType.INFORMATION, text, ButtonType.OK);
        a.setTitle(title);
        a.setHeaderText(title);
        a.initOwner(getScene().getWindow());
        a.show();
    }
}
