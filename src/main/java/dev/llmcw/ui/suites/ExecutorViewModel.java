package dev.llmcw.ui.suites;

import dev.llmcw.app.ExecutorSettings;
import dev.llmcw.suite.SuiteSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * The Suites view's executor form: Local or Slurm, and the Slurm options as text fields (blank: the suite
 * file's value, else Slurm's or the executor's default). Read into a {@link SuiteSpec.Executor} and kept in
 * the workspace through {@link ExecutorSettings}, which also says how it combines with a suite file.
 */
public final class ExecutorViewModel {
    private final ExecutorSettings settings;
    private final BooleanProperty slurm = new SimpleBooleanProperty();
    private final StringProperty partition = new SimpleStringProperty("");
    private final StringProperty account = new SimpleStringProperty("");
    private final StringProperty time = new SimpleStringProperty("");
    private final StringProperty mem = new SimpleStringProperty("");
    private final StringProperty cpus = new SimpleStringProperty("");
    private final StringProperty sbatch = new SimpleStringProperty("");
    private final StringProperty preamble = new SimpleStringProperty("");
    private final StringProperty shardItems = new SimpleStringProperty("");
    private final StringProperty retries = new SimpleStringProperty("");
    /** The launcher is not in the form (the default fits a shared install); a stored one is kept as it is. */
    private String launcher;

    private final StringProperty compressShards = new SimpleStringProperty("");
    /** Not in the form (the default, on, fits nearly every cluster): a stored value is kept as it is. */
    private Boolean requeue;

    public ExecutorViewModel(ExecutorSettings settings) {
        this.settings = settings;
        SuiteSpec.Executor e = settings.get();
        slurm.set(e.isSlurm());
        partition.set(text(e.partition()));
        account.set(text(e.account()));
        time.set(text(e.time()));
        mem.set(text(e.mem()));
        cpus.set(e.cpusPerTask() == null ? "" : e.cpusPerTask().toString());
        sbatch.set(String.join(" ", e.sbatch()));
        preamble.set(text(e.preamble()));
        shardItems.set(e.shardItems() == null ? "" : e.shardItems().toString());
        retries.set(e.retries() == null ? "" : e.retries().toString());
        launcher = e.launcher();
        compressShards.set(e.compressShards() == null ? "" : e.compressShards().toString());
        requeue = e.requeue();
    }

    /**
     * The form as an executor setting, kept in the workspace.
     *
     * @throws IllegalArgumentException one sentence naming the field that is not valid
     */
    public SuiteSpec.Executor save() {
        SuiteSpec.Executor e = read();
        settings.save(e);
        return e;
    }

    /**
     * The form as an executor setting, not kept.
     *
     * @throws IllegalArgumentException one sentence naming the field that is not valid
     */
    public SuiteSpec.Executor read() {
        var e = new SuiteSpec.Executor(
                slurm.get() ? SuiteSpec.Executor.SLURM : SuiteSpec.Executor.LOCAL,
                blankToNull(partition.get()),
                blankToNull(account.get()),
                blankToNull(time.get()),
                blankToNull(mem.get()),
                number("CPUs per task", cpus.get()),
                flags(sbatch.get()),
                blankToNull(preamble.get()),
                number("Items per shard", shardItems.get()),
                number("Retries", retries.get()),
                launcher,
                number("Compression shards", compressShards.get()),
                requeue);
        String problem = e.problem();
        if (problem != null) throw new IllegalArgumentException(problem.replace("executor.", "Slurm setting "));
        return e;
    }

    /** The suite as it will run: the file's executor section with the form over it. */
    public SuiteSpec applyTo(SuiteSpec suite) {
        return ExecutorSettings.over(suite, read());
    }

    /** One line on where a suite runs, for the Suites view ("Runs on Slurm: partition debug, …"). */
    static String describe(SuiteSpec.Executor e) {
        if (!e.isSlurm()) return "Runs here (local executor).";
        List<String> parts = new ArrayList<>();
        if (e.partition() != null) parts.add("partition " + e.partition());
        if (e.account() != null) parts.add("account " + e.account());
        if (e.time() != null) parts.add("time " + e.time());
        if (e.mem() != null) parts.add("mem " + e.mem());
        if (e.cpusPerTask() != null) parts.add(e.cpusPerTask() + " CPUs per task");
        if (!e.sbatch().isEmpty()) parts.add(String.join(" ", e.sbatch()));
        parts.add(e.shardItemsOrDefault() + " items per shard");
        parts.add(e.retriesOrDefault() + (e.retriesOrDefault() == 1 ? " retry" : " retries"));
        if (e.compressShardsOrDefault() > 1) parts.add(e.compressShardsOrDefault() + " jobs per compression");
        return "Runs on Slurm: " + String.join(", ", parts) + ".";
    }

    private static Integer number(String field, String v) {
        if (v == null || v.isBlank()) return null;
        try {
            return Integer.valueOf(v.strip());
        } catch (NumberFormatException x) {
            throw new IllegalArgumentException(field + " must be a whole number, not \"" + v.strip() + "\"");
        }
    }

    /** Whitespace-separated sbatch flags; each must start with a dash (a #SBATCH line takes nothing else). */
    private static List<String> flags(String v) {
        if (v == null || v.isBlank()) return List.of();
        List<String> out = Arrays.asList(v.strip().split("\\s+"));
        for (String f : out)
            if (!f.startsWith("-"))
                throw new IllegalArgumentException(
                        "Extra sbatch flags must each start with '-' (e.g. --qos=normal), not \"" + f + "\"");
        return out;
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static String text(String v) {
        return v == null ? "" : v;
    }

    /** True: Slurm; false: Local. */
    public BooleanProperty slurmProperty() {
        return slurm;
    }

    public StringProperty partitionProperty() {
        return partition;
    }

    public StringProperty accountProperty() {
        return account;
    }

    public StringProperty timeProperty() {
        return time;
    }

    public StringProperty memProperty() {
        return mem;
    }

    public StringProperty cpusProperty() {
        return cpus;
    }

    /** Extra sbatch flags, separated by spaces. */
    public StringProperty sbatchProperty() {
        return sbatch;
    }

    public StringProperty preambleProperty() {
        return preamble;
    }

    public StringProperty shardItemsProperty() {
        return shardItems;
    }

    public StringProperty retriesProperty() {
        return retries;
    }

    /** Jobs per compression ({@code compressShards}; blank: the file's, else 1). */
    public StringProperty compressShardsProperty() {
        return compressShards;
    }
}
