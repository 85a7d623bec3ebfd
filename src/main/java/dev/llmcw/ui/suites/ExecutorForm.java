package dev.llmcw.ui.suites;

import javafx.beans.property.StringProperty;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * The executor choice (Local / Slurm) and, with Slurm chosen, its options: in the Suites view, where a blank
 * option keeps the suite file's value (else Slurm's default) and a filled one replaces it, and in the Evaluate
 * view (the same setting).
 */
public final class ExecutorForm extends VBox {
    /** The Suites view's form (ids {@code suite-executor-local}, {@code slurm-partition}, …). */
    ExecutorForm(ExecutorViewModel vm) {
        this(vm, "suite-", "");
    }

    /**
     * @param choiceIdPrefix prefix of the two choices' ids ({@code <prefix>executor-local}, {@code …-slurm})
     * @param optionIdPrefix prefix of the option fields' ids ({@code <prefix>slurm-partition}, …)
     */
    public ExecutorForm(ExecutorViewModel vm, String choiceIdPrefix, String optionIdPrefix) {
        super(6);
        var group = new ToggleGroup();
        var local = new RadioButton("Local (this machine)");
        local.setId(choiceIdPrefix + "executor-local");
        local.setToggleGroup(group);
        var slurm = new RadioButton("Slurm cluster");
        slurm.setId(choiceIdPrefix + "executor-slurm");
        slurm.setToggleGroup(group);
        (vm.slurmProperty().get() ? slurm : local).setSelected(true);
        group.selectedToggleProperty().addListener((o, a, t) -> {
            if (t != null) vm.slurmProperty().set(t == slurm);
        });
        vm.slurmProperty().addListener((o, a, v) -> (v ? slurm : local).setSelected(true));
        var choice = new HBox(12, new Label("Executor:"), local, slurm);
        choice.setAlignment(Pos.CENTER_LEFT);

        var fields = new FlowPane(10, 6);
        fields.getChildren()
                .addAll(
                        field("Partition", optionIdPrefix + "slurm-partition", vm.partitionProperty(), "default", 90),
                        field("Account", optionIdPrefix + "slurm-account", vm.accountProperty(), "none", 90),
                        field("Time", optionIdPrefix + "slurm-time", vm.timeProperty(), "02:00:00", 80),
                        field("Mem", optionIdPrefix + "slurm-mem", vm.memProperty(), "8G", 60),
                        field("CPUs/task", optionIdPrefix + "slurm-cpus", vm.cpusProperty(), "1", 45),
                        field("Items/shard", optionIdPrefix + "slurm-shard-items", vm.shardItemsProperty(), "500", 55),
                        field("Retries", optionIdPrefix + "slurm-retries", vm.retriesProperty(), "2", 40),
                        field(
                                "Jobs/compression",
                                optionIdPrefix + "slurm-compress-shards",
                                vm.compressShardsProperty(),
                                "1",
                                40));
        var sbatch =
                field("Extra sbatch flags", optionIdPrefix + "slurm-sbatch", vm.sbatchProperty(), "--qos=normal", 240);
        HBox.setHgrow(sbatch.getChildren().getLast(), Priority.ALWAYS);
        var preamble = new TextArea();
        preamble.setId(optionIdPrefix + "slurm-preamble");
        preamble.setPromptText("shell lines each job runs first, e.g. module load java/25");
        preamble.setPrefRowCount(2);
        preamble.setPrefColumnCount(40);
        preamble.setStyle("-fx-font-family: monospace;");
        preamble.textProperty().bindBidirectional(vm.preambleProperty());
        HBox.setHgrow(preamble, Priority.ALWAYS);
        var second = new HBox(10, sbatch, new Label("Preamble"), preamble);
        second.setAlignment(Pos.CENTER_LEFT);
        var options = new VBox(6, fields, second);
        options.setId(optionIdPrefix + "slurm-options");
        options.visibleProperty().bind(vm.slurmProperty());
        options.managedProperty().bind(options.visibleProperty());
        getChildren().addAll(choice, options);
    }

    private static HBox field(String label, String id, StringProperty value, String prompt, double width) {
        var f = new TextField();
        f.setId(id);
        f.setPromptText(prompt);
        f.setPrefWidth(width);
        f.textProperty().bindBidirectional(value);
        var box = new HBox(4, new Label(label), f);
        box.setAlignment(Pos.CENTER_LEFT);
        return box;
    }
}
