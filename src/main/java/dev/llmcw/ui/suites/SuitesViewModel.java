package dev.llmcw.ui.suites;

import dev.llmcw.app.ExecutorSettings;
import dev.llmcw.app.SuiteService;
import dev.llmcw.cluster.ShardWatch;
import dev.llmcw.results.WorkbenchHome;
import dev.llmcw.suite.SuitePresets;
import dev.llmcw.suite.SuiteReport;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.jobs.JobViewModel;
import dev.llmcw.ui.jobs.JobsViewModel;
import dev.llmcw.util.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * Suites view: a suite file in a text editor, validated with the same parser as the CLI
 * ({@link SuiteSpec#parse}) and launched as a job in the queue through the {@link SuiteService}.
 */
public final class SuitesViewModel {
    private final SuiteService service;
    private final JobsViewModel jobs;
    private final ErrorReporter errors;
    private final Runnable onRunsStored;
    private final ObjectProperty<Path> file = new SimpleObjectProperty<>();
    private final StringProperty text = new SimpleStringProperty("");
    private final StringProperty summary =
            new SimpleStringProperty("Open a suite file (YAML or JSON), or write one and Save as…");
    private final BooleanProperty valid = new SimpleBooleanProperty();
    private final BooleanProperty dirty = new SimpleBooleanProperty();
    private final StringProperty lastReport = new SimpleStringProperty("");
    private final StringProperty executorLine = new SimpleStringProperty("");
    private final ExecutorViewModel executor;
    private final ObjectProperty<Path> presetModel =
            new SimpleObjectProperty<>(SuitePresets.defaultModel().orElse(null));
    private final ObjectProperty<Integer> presetLimit = new SimpleObjectProperty<>();
    private final ObjectProperty<Path> presetsDir =
            new SimpleObjectProperty<>(WorkbenchHome.dir().resolve("suites").resolve("presets"));
    private boolean loading;

    /** With an executor setting kept for the session only. */
    public SuitesViewModel(SuiteService service, JobsViewModel jobs, ErrorReporter errors, Runnable onRunsStored) {
        this(service, jobs, errors, onRunsStored, ExecutorSettings.inMemory());
    }

    /**
     * @param onRunsStored called on the UI thread after a suite job ends, so Results and Charts re-read the store
     * @param executorSettings the workspace's executor setting (Local / Slurm), laid over each suite file's
     */
    public SuitesViewModel(
            SuiteService service,
            JobsViewModel jobs,
            ErrorReporter errors,
            Runnable onRunsStored,
            ExecutorSettings executorSettings) {
        this.service = service;
        this.executor = new ExecutorViewModel(executorSettings);
        executor.slurmProperty().addListener((o, a, v) -> executorChanged());
        this.jobs = jobs;
        this.errors = errors;
        this.onRunsStored = onRunsStored;
        // An edit makes the last validation stale: Run validates again anyway.
        text.addListener((o, a, v) -> {
            if (loading) return;
            dirty.set(true);
            valid.set(false);
        });
    }

    /** Loads a suite file into the editor and validates it. */
    public void open(Path path) {
        String content;
        try {
            content = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            errors.error("Cannot open suite", path + ": " + ErrorReporter.describe(e));
            return;
        }
        loading = true;
        try {
            file.set(path.toAbsolutePath().normalize());
            text.set(content);
        } finally {
            loading = false;
        }
        dirty.set(false);
        validate();
    }

    /**
     * Parses the editor's text; the summary shows the sweep's size or the validation error (which
     * names the file and, where the parser knows it, the line).
     */
    public Optional<SuiteSpec> validate() {
        try {
            SuiteSpec s = SuiteSpec.parse(text.get(), suiteFile());
            valid.set(true);
            summary.set(String.format(
                    Locale.ROOT,
                    "%s: %d model(s) × %d setting(s) × %d task(s) = %d runs",
                    s.name(),
                    s.models().size(),
                    s.settings().size(),
                    s.tasks().size(),
                    s.runCount()));
            describeExecutor(s);
            return Optional.of(s);
        } catch (IllegalArgumentException e) {
            valid.set(false);
            summary.set("Invalid: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The choice Local / Slurm was changed: keep it in the workspace, and say where the open suite runs. */
    private void executorChanged() {
        try {
            executor.save();
        } catch (RuntimeException e) {
            // a half-typed option: Run reports it; the choice itself is kept with the next valid save
        }
        if (valid.get()) validate();
    }

    private void describeExecutor(SuiteSpec s) {
        try {
            SuiteSpec.Executor fileEx = s.executorOrLocal();
            String line = ExecutorViewModel.describe(executor.applyTo(s).executorOrLocal());
            // the one surprising case: the file asks for Slurm and the work runs here
            if (fileEx.isSlurm() && !executor.slurmProperty().get())
                line += " The suite file says slurm; the choice here wins.";
            executorLine.set(line);
        } catch (IllegalArgumentException e) {
            executorLine.set(e.getMessage());
        }
    }

    /** The paper presets (see {@link SuitePresets}). */
    public List<String> presets() {
        return SuitePresets.NAMES;
    }

    /**
     * Fills a paper preset in for {@link #presetModelProperty()} (with {@link #presetLimitProperty()} items
     * per task, or the full splits when null), saves it as {@code <presetsDir>/<name>.yaml} (its report
     * folder goes beside it) and opens it in the editor. False, with an error shown, when no model is set.
     */
    public boolean loadPreset(String name) {
        Path model = presetModel.get();
        if (model == null) {
            errors.error("No model for the preset", "Choose the model to run " + name + " on.");
            return false;
        }
        Path file;
        try {
            file = SuitePresets.write(
                    name, model, SuitePresets.defaultCalibration(), presetLimit.get(), presetsDir.get());
        } catch (IOException | IllegalArgumentException e) {
            errors.error("Cannot load preset " + name, ErrorReporter.describe(e));
            return false;
        }
        open(file);
        return true;
    }

    /** One click: loads the preset and queues it (see {@link #loadPreset} and {@link #run}). */
    public Optional<JobViewModel> runPreset(String name) {
        return loadPreset(name) ? run() : Optional.empty();
    }

    /** Writes the editor's text to the open file; false (and nothing written) when no file is open. */
    public boolean save() {
        if (file.get() == null) return false;
        return write(file.get());
    }

    public boolean saveAs(Path path) {
        if (!write(path)) return false;
        file.set(path.toAbsolutePath().normalize());
        validate(); // relative model paths now resolve against the new folder
        return true;
    }

    private boolean write(Path path) {
        try {
            AtomicFiles.writeString(path, text.get());
            dirty.set(false);
            return true;
        } catch (IOException e) {
            errors.error("Cannot save suite", path + ": " + ErrorReporter.describe(e));
            return false;
        }
    }

    /**
     * Validates the editor's text and queues it as a job (the text as shown, saved or not; relative
     * paths resolve against the open file's folder). Returns the job, or empty when invalid.
     */
    public Optional<JobViewModel> run() {
        Optional<SuiteSpec> spec = validate();
        if (spec.isEmpty()) {
            errors.error("Suite is not valid", summary.get());
            return Optional.empty();
        }
        SuiteSpec s;
        try {
            s = ExecutorSettings.over(spec.get(), executor.save());
        } catch (RuntimeException e) {
            errors.error("Executor setting is not valid", ErrorReporter.describe(e));
            return Optional.empty();
        }
        String problem = service.executorProblem(s);
        if (problem != null) {
            errors.error("Slurm is not available", problem);
            return Optional.empty();
        }
        Path suiteFile = suiteFile();
        boolean onSlurm = s.executorOrLocal().isSlurm();
        ShardWatch shards = onSlurm ? new ShardWatch() : null;
        var job = jobs.submit(
                "Suite",
                "Suite " + s.name() + " (" + s.runCount() + " runs" + (onSlurm ? ", Slurm" : "") + ")",
                shards,
                (progress, cancel) -> onSlurm
                        ? service.run(s, suiteFile, shards, progress, cancel)
                        : service.run(s, suiteFile, progress, cancel),
                report -> {
                    lastReport.set(describe(report));
                    onRunsStored.run();
                },
                failure -> {
                    lastReport.set("Suite " + s.name() + " failed: " + ErrorReporter.describe(failure));
                    // runs finished before the failure are stored
                    onRunsStored.run();
                });
        return Optional.of(job);
    }

    static String describe(SuiteReport r) {
        return String.format(
                Locale.ROOT,
                "Suite %s: compressed %d (reused %d), evaluated %d run(s) (reused %d), %d failure(s)%s",
                r.suite(),
                r.compressed(),
                r.compressionsReused(),
                r.evaluated(),
                r.runsReused(),
                r.failures().size(),
                r.failures().isEmpty() ? "" : "\n  " + String.join("\n  ", r.failures()));
    }

    /** The open file, or an untitled one in the working folder for text that was never saved. */
    private Path suiteFile() {
        return file.get() != null ? file.get() : Path.of("untitled-suite.yaml").toAbsolutePath();
    }

    public ObjectProperty<Path> fileProperty() {
        return file;
    }

    public StringProperty textProperty() {
        return text;
    }

    public StringProperty summaryProperty() {
        return summary;
    }

    public BooleanProperty validProperty() {
        return valid;
    }

    public BooleanProperty dirtyProperty() {
        return dirty;
    }

    /** Local / Slurm and the Slurm options. */
    public ExecutorViewModel executor() {
        return executor;
    }

    /** Where the open suite runs, with the executor setting over the file's section. */
    public StringProperty executorLineProperty() {
        return executorLine;
    }

    public StringProperty lastReportProperty() {
        return lastReport;
    }

    /** The model a paper preset runs on (default: stories260K from the shared data, when present). */
    public ObjectProperty<Path> presetModelProperty() {
        return presetModel;
    }

    /** Items per task of a preset run; null = the preset's own (the full splits). */
    public ObjectProperty<Integer> presetLimitProperty() {
        return presetLimit;
    }

    /** Where loaded presets are saved (default: $WORKBENCH_HOME/suites/presets). */
    public ObjectProperty<Path> presetsDirProperty() {
        return presetsDir;
    }

    /** Title line of the editor: file name with a star when edited. */
    public javafx.beans.binding.StringBinding title() {
        return Bindings.createStringBinding(
                () -> (file.get() == null ? "untitled" : file.get().toString()) + (dirty.get() ? " *" : ""),
                file,
                dirty);
    }

    public BooleanBinding hasFile() {
        return file.isNotNull();
    }
}
