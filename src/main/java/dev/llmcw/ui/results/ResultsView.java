package dev.llmcw.ui.results;

import dev.llmcw.app.ResultsService.ItemDetail;
import dev.llmcw.app.ResultsService.UnfinishedRun;
import dev.llmcw.report.Formats;
import dev.llmcw.report.ReportWriter;
import dev.llmcw.report.RunRow;
import dev.llmcw.results.RunLabels;
import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.common.FileDialogs;
import dev.llmcw.ui.common.Ui;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import javafx.animation.PauseTransition;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.collections.MapChangeListener;
import javafx.geometry.Orientation;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.cell.TextFieldTableCell;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import org.controlsfx.control.table.TableFilter;

/** Results view: filterable runs table, side-by-side comparison, per-item view. */
public final class ResultsView extends VBox {
    /** Writes a report for the given rows into a folder (the Charts view model does it, with the paper overlay). */
    public interface ReportAction extends BiFunction<List<RunRow>, Path, ReportWriter.Output> {}

    /** How long a deleted run can be brought back with Undo. */
    private static final Duration UNDO_TIME = Duration.seconds(8);

    private final GridPane compareGrid = new GridPane();

    public ResultsView(ResultsViewModel vm, FileDialogs files, ErrorReporter errors, ReportAction report) {
        var table = new TableView<>(vm.runs());
        table.setId("runs-table");
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.setPlaceholder(new Label("No runs yet. Evaluate a model to fill this table."));
        table.getColumns()
                .setAll(List.of(
                        text("Run", 60, RunRow::runId),
                        editable("Name", 140, r -> vm.labelsOf(r).name(), vm::rename),
                        editable("Tags", 120, r -> vm.labelsOf(r).tagText(), vm::setTags),
                        text("Model", 150, RunRow::model),
                        text("Method", 80, RunRow::method),
                        text("Settings", 170, RunRow::settings),
                        number("Bits/weight", 90, RunRow::bitsPerWeight),
                        text("Size", 80, r -> Formats.size(r.totalBytes())),
                        text("Task", 100, RunRow::task),
                        text("Protocol", 120, RunRow::protocol),
                        metric("acc"),
                        metric("acc_norm"),
                        metric("word_perplexity"),
                        metric("kl_mean"),
                        metric("top1_agreement"),
                        text("vs base (same protocol)", 330, RunRow::vsBaseText),
                        editable("Notes", 200, r -> vm.labelsOf(r).notes(), vm::setNotes),
                        text("Hidden", 60, r -> vm.labelsOf(r).hidden() ? "hidden" : "")));
        table.setEditable(true);
        vm.labels().addListener((MapChangeListener<String, RunLabels>) c -> table.refresh());
        table.getSelectionModel().getSelectedItems().addListener((ListChangeListener<RunRow>)
                c -> vm.select(selectedRows(table)));
        TableFilter.forTableView(table).lazy(true).apply();

        var refresh = new Button("Refresh");
        refresh.setOnAction(e -> vm.refresh());
        var compare = new Button("Compare selected");
        compare.setId("compare-runs");
        compare.setOnAction(
                e -> vm.compare(List.copyOf(table.getSelectionModel().getSelectedItems())));
        var export = new Button("Report for selected…");
        export.setId("report-selected");
        export.setOnAction(e -> files.openDirectory(getScene().getWindow(), "Folder for the report")
                .ifPresent(dir -> {
                    try {
                        var out = report.apply(
                                List.copyOf(table.getSelectionModel().getSelectedItems()), dir);
                        errorsOrInfo(out);
                    } catch (RuntimeException ex) {
                        errors.error("Cannot write report", ErrorReporter.describe(ex));
                    }
                }));
        var status = Ui.subtle("");
        status.textProperty().bind(vm.statusProperty());
        var labelRow = labelActions(vm, table);

        vm.compared().addListener((ListChangeListener<RunRow>) c -> buildCompare(vm.compared()));
        compareGrid.setHgap(18);
        compareGrid.setVgap(4);
        compareGrid.setId("compare-grid");
        compareGrid.setPadding(new javafx.geometry.Insets(10));
        buildCompare(List.of());

        var items = new TableView<>(vm.items());
        items.setId("items-table");
        items.setPlaceholder(new Label("Select one run above to see its items."));
        var itemId = new TableColumn<ItemDetail, String>("Item");
        itemId.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().itemId()));
        var gold = new TableColumn<ItemDetail, Number>("Gold");
        gold.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().gold()));
        var chosen = new TableColumn<ItemDetail, Number>("Chosen");
        chosen.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().chosen()));
        var base = new TableColumn<ItemDetail, String>("Base chose");
        base.setCellValueFactory(c -> new ReadOnlyStringWrapper(
                c.getValue().baseChosen() < 0
                        ? ""
                        : Integer.toString(c.getValue().baseChosen())));
        var flipped = new TableColumn<ItemDetail, String>("Flipped");
        flipped.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().flipped() ? "FLIPPED" : ""));
        var prompt = new TableColumn<ItemDetail, String>("Prompt");
        prompt.setCellValueFactory(
                c -> new ReadOnlyStringWrapper(c.getValue().prompt().replace('\n', ' ')));
        prompt.setPrefWidth(420);
        items.getColumns().setAll(List.of(itemId, gold, chosen, base, flipped, prompt));
        var detail = new TextArea();
        detail.setId("item-detail");
        detail.setEditable(false);
        detail.setWrapText(true);
        detail.getStyleClass().add("mono");
        items.getSelectionModel()
                .selectedItemProperty()
                .addListener((o, a, it) -> detail.setText(it == null ? "" : describe(it)));
        var itemsStatus = Ui.subtle("");
        itemsStatus.textProperty().bind(vm.itemsStatusProperty());
        table.getSelectionModel().selectedItemProperty().addListener((o, a, r) -> {
            if (table.getSelectionModel().getSelectedItems().size() == 1) vm.showItems(r);
        });
        var itemsPane = new SplitPane(items, detail);
        itemsPane.setDividerPositions(0.62);

        var tabs = new TabPane(
                new Tab("Compare", new ScrollPane(compareGrid)),
                new Tab("Items", new VBox(6, itemsStatus, itemsPane)),
                new Tab("Unfinished", unfinishedPane(vm)));
        VBox.setVgrow(itemsPane, Priority.ALWAYS);
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        var split = new SplitPane(table, tabs);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.55);
        VBox.setVgrow(split, Priority.ALWAYS);
        var page = Ui.page(
                Ui.heading("Results"),
                Ui.subtle("Right-click a column header to filter. Select several runs to compare "
                        + "them side by side, to write a report or to chart only them. "
                        + "Double-click Name, Tags or Notes to edit (tags separated by commas)."),
                new HBox(8, refresh, compare, export, Ui.spacer(), status),
                labelRow,
                split);
        VBox.setVgrow(page, Priority.ALWAYS);
        getChildren().add(page);
    }

    /** Hide, show again, delete with Undo, and whether hidden runs are listed. */
    private static HBox labelActions(ResultsViewModel vm, TableView<RunRow> table) {
        var hide = new Button("Hide");
        hide.setId("hide-runs");
        hide.setOnAction(e -> vm.setHidden(selectedRows(table), true));
        var unhide = new Button("Show again");
        unhide.setId("unhide-runs");
        unhide.setOnAction(e -> vm.setHidden(selectedRows(table), false));
        var showHidden = new CheckBox("Show hidden runs");
        showHidden.setId("show-hidden");
        showHidden.selectedProperty().bindBidirectional(vm.showHiddenProperty());
        var delete = new Button("Delete");
        delete.setId("delete-result");
        delete.setOnAction(e -> vm.deleteRun(table.getSelectionModel().getSelectedItem()));
        var undo = new Button("Undo delete");
        undo.setId("undo-delete");
        undo.setOnAction(e -> vm.undoDelete());
        undo.disableProperty().bind(vm.pendingDeleteProperty().isNull());
        var none = table.getSelectionModel().selectedItemProperty().isNull();
        hide.disableProperty().bind(none);
        unhide.disableProperty().bind(none);
        delete.disableProperty().bind(none);
        // Undo stays offered for a few seconds; then the run is deleted from the store for good.
        var grace = new PauseTransition(UNDO_TIME);
        grace.setOnFinished(e -> vm.finishDelete());
        vm.pendingDeleteProperty().addListener((o, a, pending) -> {
            if (pending == null) grace.stop();
            else grace.playFromStart();
        });
        return new HBox(8, hide, unhide, showHidden, Ui.spacer(), delete, undo);
    }

    private static List<RunRow> selectedRows(TableView<RunRow> table) {
        return List.copyOf(table.getSelectionModel().getSelectedItems());
    }

    /** A text column the user edits in place; a commit goes to {@code save} (which stores it in the background). */
    private static TableColumn<RunRow, String> editable(
            String name, double width, Function<RunRow, String> f, BiConsumer<RunRow, String> save) {
        var c = text(name, width, f);
        c.setEditable(true);
        c.setCellFactory(TextFieldTableCell.forTableColumn());
        c.setOnEditCommit(e -> save.accept(e.getRowValue(), e.getNewValue()));
        return c;
    }

    /** Runs that did not finish (killed, cancelled, failed): resume them in the background or delete them. */
    private static VBox unfinishedPane(ResultsViewModel vm) {
        var table = new TableView<>(vm.unfinished());
        table.setId("unfinished-table");
        table.setPlaceholder(new Label("Every stored run finished."));
        table.getColumns()
                .setAll(List.of(
                        unfinishedColumn("Run", 60, UnfinishedRun::runId),
                        unfinishedColumn("Model", 150, UnfinishedRun::model),
                        unfinishedColumn("Method", 170, UnfinishedRun::setting),
                        unfinishedColumn("Task", 100, UnfinishedRun::task),
                        unfinishedColumn("Status", 90, UnfinishedRun::status),
                        unfinishedColumn("Message", 420, UnfinishedRun::message)));
        var resume = new Button("Resume");
        resume.setId("resume-run");
        resume.setOnAction(e -> vm.resume(table.getSelectionModel().getSelectedItem()));
        var delete = new Button("Delete");
        delete.setId("delete-run");
        delete.setOnAction(e -> vm.delete(table.getSelectionModel().getSelectedItem()));
        resume.disableProperty()
                .bind(table.getSelectionModel().selectedItemProperty().isNull());
        delete.disableProperty()
                .bind(table.getSelectionModel().selectedItemProperty().isNull());
        var resumeItem = new MenuItem("Resume");
        resumeItem.setOnAction(e -> vm.resume(table.getSelectionModel().getSelectedItem()));
        var deleteItem = new MenuItem("Delete");
        deleteItem.setOnAction(e -> vm.delete(table.getSelectionModel().getSelectedItem()));
        table.setContextMenu(new ContextMenu(resumeItem, deleteItem));
        VBox.setVgrow(table, Priority.ALWAYS);
        return new VBox(
                6,
                new HBox(8, resume, delete, Ui.subtle("A resumed run reuses the items it stored before it stopped.")),
                table);
    }

    private static TableColumn<UnfinishedRun, String> unfinishedColumn(
            String title, double width, Function<UnfinishedRun, String> value) {
        var c = new TableColumn<UnfinishedRun, String>(title);
        c.setCellValueFactory(x -> new ReadOnlyStringWrapper(value.apply(x.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    private void errorsOrInfo(ReportWriter.Output out) {
        var a = new javafx.scene.control.Alert(
                javafx.scene.control.Alert.AlertType.INFORMATION,
                "Wrote " + out.html() + "\n" + out.markdown() + "\n"
                        + out.charts().size() + " chart files, runs.csv, runs.json"
                        + (out.paperCsv() == null ? "" : ", paper-points.csv/.json"));
        a.setHeaderText("Report written");
        a.initOwner(getScene().getWindow());
        a.show();
    }

    static String describe(ItemDetail it) {
        var sb = new StringBuilder();
        sb.append("Item ")
                .append(it.itemId())
                .append(it.flipped() ? "  (FLIPPED vs base)" : "")
                .append("\n\n")
                .append(it.prompt())
                .append("\n\n");
        for (int i = 0; i < it.choices().size(); i++) {
            double ll =
                    it.logLikelihoods() != null && i < it.logLikelihoods().length ? it.logLikelihoods()[i] : Double.NaN;
            sb.append(i == it.gold() ? "✓ " : "  ")
                    .append(i == it.chosen() ? "▶ " : "  ")
                    .append(String.format(Locale.ROOT, "[%d] ll=%10.4f  ", i, ll))
                    .append(it.choices().get(i))
                    .append('\n');
        }
        sb.append("\n✓ gold   ▶ chosen by this model");
        if (it.baseChosen() >= 0)
            sb.append("   base chose [").append(it.baseChosen()).append(']');
        return sb.toString();
    }

    private void buildCompare(List<RunRow> runs) {
        compareGrid.getChildren().clear();
        if (runs.isEmpty()) {
            compareGrid.add(Ui.subtle("Select runs in the table and press Compare selected."), 0, 0);
            return;
        }
        var metrics = new TreeSet<String>();
        runs.forEach(r -> r.metrics().keySet().stream()
                .filter(k -> !k.endsWith("_stderr"))
                .forEach(metrics::add));
        var rows = new ArrayList<String>(
                List.of("run", "model", "method", "settings", "bits/weight", "size", "task", "protocol", "vs base"));
        rows.addAll(metrics);
        for (int i = 0; i < rows.size(); i++) {
            var h = new Label(rows.get(i));
            h.getStyleClass().add("compare-header");
            compareGrid.add(h, 0, i);
        }
        for (int c = 0; c < runs.size(); c++) {
            RunRow r = runs.get(c);
            var vals = new ArrayList<String>(List.of(
                    r.runId(),
                    r.model(),
                    r.method(),
                    r.settings(),
                    Formats.bits(r.bitsPerWeight()),
                    Formats.size(r.totalBytes()),
                    r.task(),
                    r.protocol(),
                    r.vsBaseText()));
            for (String m : metrics) {
                vals.add(Formats.metric(m, r.metric(m), r.metric(m + "_stderr")));
            }
            for (int i = 0; i < vals.size(); i++) compareGrid.add(new Label(vals.get(i)), c + 1, i);
        }
        String warning = ResultsViewModel.protocolWarning(runs);
        if (!warning.isEmpty()) {
            var w = new Label(warning);
            w.setId("compare-protocol-warning");
            w.setStyle("-fx-text-fill: #8a4b00; -fx-font-weight: bold;");
            compareGrid.add(w, 0, rows.size(), runs.size() + 1, 1);
        }
    }

    private static TableColumn<RunRow, String> text(String name, double width, Function<RunRow, String> f) {
        var c = new TableColumn<RunRow, String>(name);
        c.setCellValueFactory(d -> new ReadOnlyStringWrapper(f.apply(d.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    private static TableColumn<RunRow, Double> number(String name, double width, ToDoubleFunction<RunRow> f) {
        var c = new TableColumn<RunRow, Double>(name);
        c.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(f.applyAsDouble(d.getValue())));
        c.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(Double v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty || v == null || v.isNaN() ? null : Formats.bits(v));
            }
        });
        c.setPrefWidth(width);
        c.getStyleClass().add("numeric");
        return c;
    }

    private static TableColumn<RunRow, Double> metric(String m) {
        var c = number(m, 95, r -> r.metric(m));
        c.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(Double v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty || v == null || v.isNaN() ? null : Formats.metric(m, v, Double.NaN));
            }
        });
        return c;
    }
}
