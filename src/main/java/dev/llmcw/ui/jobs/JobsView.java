package dev.llmcw.ui.jobs;

import dev.llmcw.ui.common.Ui;
import java.util.List;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.geometry.Orientation;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.cell.ProgressBarTableCell;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** Jobs view: the run queue with progress, ETA, throughput, log, cancel and resume. */
public final class JobsView extends VBox {
    public JobsView(JobsViewModel vm) {
        var table = new TableView<>(vm.jobs());
        table.setId("jobs-table");
        table.setPlaceholder(new Label("No jobs yet. Compression, evaluation and downloads run here, one at a time."));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        var id = new TableColumn<JobViewModel, Number>("#");
        id.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().id()));
        id.setPrefWidth(40);
        id.setMaxWidth(50);
        var title = new TableColumn<JobViewModel, String>("Job");
        title.setCellValueFactory(c -> c.getValue().titleProperty());
        title.setPrefWidth(380);
        var state = new TableColumn<JobViewModel, String>("State");
        state.setCellValueFactory(c -> c.getValue().stateProperty().asString());
        state.setPrefWidth(90);
        var progress = new TableColumn<JobViewModel, Double>("Progress");
        progress.setCellValueFactory(c -> c.getValue().progressProperty().asObject());
        progress.setCellFactory(ProgressBarTableCell.forTableColumn());
        progress.setPrefWidth(150);
        var eta = new TableColumn<JobViewModel, String>("ETA");
        eta.setCellValueFactory(c -> c.getValue().etaProperty());
        eta.setPrefWidth(80);
        var rate = new TableColumn<JobViewModel, String>("Throughput");
        rate.setCellValueFactory(c -> c.getValue().throughputProperty());
        rate.setPrefWidth(90);
        var stage = new TableColumn<JobViewModel, String>("Stage");
        stage.setCellValueFactory(c -> c.getValue().stageProperty());
        table.getColumns().setAll(List.of(id, title, state, progress, eta, rate, stage));

        var log = new ListView<String>();
        log.setId("job-log");
        log.getStyleClass().add("log");
        log.setPlaceholder(new Label("Select a job to see its log."));
        var shards = new ShardsPane();
        shards.setId("job-shards");

        var cancel = new Button("Cancel");
        cancel.setId("cancel-job");
        var resume = new Button("Resume");
        resume.setId("resume-job");
        var clear = new Button("Clear finished");
        clear.setId("clear-finished");
        clear.setOnAction(e -> vm.clearFinished());
        var selected = table.getSelectionModel().selectedItemProperty();
        cancel.setOnAction(e -> {
            if (selected.get() != null) selected.get().cancel();
        });
        resume.setOnAction(e -> {
            if (selected.get() != null) selected.get().resume();
        });
        cancel.disableProperty()
                .bind(javafx.beans.binding.Bindings.createBooleanBinding(
                        () -> selected.get() == null || selected.get().state().finished(), selected, vm.jobs()));
        resume.disableProperty()
                .bind(javafx.beans.binding.Bindings.createBooleanBinding(
                        () -> selected.get() == null
                                || !(selected.get().state() == JobState.CANCELLED
                                        || selected.get().state() == JobState.FAILED),
                        selected,
                        vm.jobs()));
        vm.jobs().addListener((javafx.collections.ListChangeListener<JobViewModel>) c -> {
            while (c.next())
                if (c.wasAdded() && selected.get() == null)
                    table.getSelectionModel().select(c.getAddedSubList().getFirst());
        });

        var split = new SplitPane(table, Ui.card("Log", log));
        VBox.setVgrow(log, Priority.ALWAYS);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.6);
        // a Slurm suite job shows its shards between the queue and the log
        table.getSelectionModel().selectedItemProperty().addListener((o, a, j) -> {
            log.setItems(j == null ? FXCollections.observableArrayList() : j.log());
            shards.show(j != null && j.sharded() ? j : null);
            boolean want = j != null && j.sharded();
            if (want && !split.getItems().contains(shards)) {
                split.getItems().add(1, shards);
                split.setDividerPositions(0.3, 0.75);
            } else if (!want && split.getItems().remove(shards)) split.setDividerPositions(0.6);
        });
        VBox.setVgrow(split, Priority.ALWAYS);
        var page = Ui.page(
                Ui.heading("Jobs"),
                Ui.subtle("Jobs keep running while you use other views. Cancelled jobs keep their finished "
                        + "tensors / items; Resume continues where they stopped."),
                new HBox(8, cancel, resume, clear),
                split);
        VBox.setVgrow(page, Priority.ALWAYS);
        getChildren().add(page);
    }
}
