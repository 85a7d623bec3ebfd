package dev.llmcw.ui.jobs;

import dev.llmcw.cluster.ShardState;
import dev.llmcw.cluster.ShardStatus;
import dev.llmcw.ui.common.Ui;
import java.util.List;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** The shards (Slurm array tasks) of the selected suite job: what, which items, which task, state, attempts. */
final class ShardsPane extends VBox {
    private final TableView<ShardStatus> table = new TableView<>();
    private final Label counts = new Label();
    private JobViewModel job;
    private final ListChangeListener<ShardStatus> recount = c -> recount();

    ShardsPane() {
        table.setId("shards-table");
        table.setPlaceholder(new Label("No shards submitted yet (or nothing was left to submit)."));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        var unit = new TableColumn<ShardStatus, String>("Unit");
        unit.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().unit()));
        unit.setPrefWidth(340);
        var kind = new TableColumn<ShardStatus, String>("Kind");
        kind.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().kindName()));
        kind.setPrefWidth(70);
        var items = new TableColumn<ShardStatus, String>("Items");
        items.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().items()));
        items.setPrefWidth(70);
        var task = new TableColumn<ShardStatus, String>("Slurm job");
        task.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().slurmTask()));
        task.setPrefWidth(90);
        var state = new TableColumn<ShardStatus, String>("State");
        state.setCellValueFactory(
                c -> new ReadOnlyStringWrapper(c.getValue().state().name().toLowerCase(Locale.ROOT)));
        state.setPrefWidth(100);
        var attempts = new TableColumn<ShardStatus, Number>("Attempts");
        attempts.setCellValueFactory(
                c -> new ReadOnlyObjectWrapper<>(c.getValue().attempts()));
        table.getColumns().setAll(List.of(unit, kind, items, task, state, attempts));
        VBox.setVgrow(table, Priority.ALWAYS);

        var resubmit = new Button("Resubmit shard");
        resubmit.setId("resubmit-shard");
        var selected = table.getSelectionModel().selectedItemProperty();
        resubmit.disableProperty()
                .bind(Bindings.createBooleanBinding(
                        () -> selected.get() == null || selected.get().state() != ShardState.FAILED, selected));
        resubmit.setOnAction(e -> {
            if (job != null && selected.get() != null) job.resubmit(selected.get());
        });
        counts.setId("shard-counts");
        counts.getStyleClass().add("subtle");
        var card = Ui.card("Shards (Slurm array tasks)", new HBox(8, resubmit, counts), table);
        VBox.setVgrow(card, Priority.ALWAYS);
        getChildren().add(card);
    }

    void show(JobViewModel j) {
        if (job != null) job.shards().removeListener(recount);
        job = j;
        table.setItems(j == null ? FXCollections.observableArrayList() : j.shards());
        if (j != null) j.shards().addListener(recount);
        recount();
    }

    /** "12 shards: 3 pending, 2 running, 7 done" (the states that occur). */
    private void recount() {
        if (job == null || job.shards().isEmpty()) {
            counts.setText("");
            return;
        }
        var sb = new StringBuilder(job.shards().size() + " shards:");
        String sep = " ";
        for (ShardState s : ShardState.values()) {
            long n = job.shards().stream().filter(x -> x.state() == s).count();
            if (n == 0) continue;
            sb.append(sep).append(n).append(' ').append(s.name().toLowerCase(Locale.ROOT));
            sep = ", ";
        }
        counts.setText(sb.toString());
    }
}
