package dev.llmcw.ui.evaluate;

import dev.llmcw.app.EvaluationService;
import dev.llmcw.app.ExecutorSettings;
import dev.llmcw.app.ModelHandle;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.cluster.ShardWatch;
import dev.llmcw.eval.EvalSettingsCheck;
import dev.llmcw.report.LayerError;
import dev.llmcw.report.RunRow;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.common.Session;
import dev.llmcw.ui.jobs.JobViewModel;
import dev.llmcw.ui.jobs.JobsViewModel;
import dev.llmcw.ui.suites.ExecutorViewModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.ObservableMap;

/**
 * Which models and tasks to evaluate, with limit, seed, fidelity and where to run (Local / Slurm: the Suites
 * view's executor setting); queues one job per model.
 */
public final class EvaluateViewModel {
    /** A task with its checkbox. */
    public static final class TaskChoice {
        private final EvaluationService.TaskInfo info;
        private final BooleanProperty selected = new SimpleBooleanProperty();

        TaskChoice(EvaluationService.TaskInfo info) {
            this.info = info;
        }

        public EvaluationService.TaskInfo info() {
            return info;
        }

        public BooleanProperty selectedProperty() {
            return selected;
        }
    }

    /** A model with its checkbox. */
    public static final class ModelChoice {
        private final ModelHandle model;
        private final BooleanProperty selected = new SimpleBooleanProperty(true);

        ModelChoice(ModelHandle model) {
            this.model = model;
        }

        public ModelHandle model() {
            return model;
        }

        public BooleanProperty selectedProperty() {
            return selected;
        }

        @Override
        public String toString() {
            return model.name();
        }
    }

    private final WorkbenchServices services;
    private final JobsViewModel jobs;
    private final Session session;
    private final ErrorReporter errors;
    private final Consumer<List<RunRow>> onResults;
    private final ExecutorViewModel executor;
    private final ObservableList<TaskChoice> tasks = FXCollections.observableArrayList();
    private final ObservableList<ModelChoice> models = FXCollections.observableArrayList();
    private final IntegerProperty limit = new SimpleIntegerProperty(100);
    /** Whether the limit's N items are a seeded random sample (--sample) rather than the first N (lm-eval's --limit). */
    private final BooleanProperty randomSample = new SimpleBooleanProperty(false);

    private final LongProperty seed = new SimpleLongProperty(1234);
    /** The seed field as typed; {@link #seed} follows it while it is a whole number. */
    private final StringProperty seedText = new SimpleStringProperty("1234");
    /** The seed field's message ("" when it is a whole number), shown next to it. */
    private final StringProperty seedError = new SimpleStringProperty("");

    private final BooleanProperty fidelity = new SimpleBooleanProperty(true);
    private final ObservableMap<String, Path> datasetFiles = FXCollections.observableHashMap();
    private final StringProperty availability = new SimpleStringProperty("");
    private final javafx.beans.property.ObjectProperty<Path> dataDir =
            new javafx.beans.property.SimpleObjectProperty<>();

    /** With an executor setting of its own, kept for the session only. */
    public EvaluateViewModel(
            WorkbenchServices services,
            JobsViewModel jobs,
            Session session,
            ErrorReporter errors,
            Consumer<List<RunRow>> onResults) {
        this(services, jobs, session, errors, onResults, new ExecutorViewModel(ExecutorSettings.inMemory()));
    }

    /** @param executor where evaluations run: the Suites view's executor form, so both views share the choice */
    public EvaluateViewModel(
            WorkbenchServices services,
            JobsViewModel jobs,
            Session session,
            ErrorReporter errors,
            Consumer<List<RunRow>> onResults,
            ExecutorViewModel executor) {
        this.executor = executor;
        this.services = services;
        this.jobs = jobs;
        this.session = session;
        this.errors = errors;
        this.onResults = onResults;
        for (var t : services.evaluation().tasks()) tasks.add(new TaskChoice(t));
        dataDir.set(services.evaluation().defaultDataDir());
        if (tasks.stream().noneMatch(t -> t.info().available())) {
            availability.set(
                    tasks.isEmpty()
                            ? "No evaluation tasks in this build."
                            : tasks.getFirst().info().unavailableReason());
        }
        seedText.addListener((o, a, v) -> {
            String problem = EvalSettingsCheck.seedProblem("Seed", v);
            seedError.set(problem == null ? "" : problem);
            if (problem == null) seed.set(Long.parseLong(v.strip()));
        });
        seed.addListener((o, a, v) -> {
            if (seedError.get().isEmpty()
                    && !Long.toString(v.longValue()).equals(seedText.get().strip()))
                seedText.set(Long.toString(v.longValue()));
        });
        session.models().addListener((javafx.collections.ListChangeListener<ModelHandle>) c -> syncModels());
        syncModels();
    }

    private void syncModels() {
        var keep = new ArrayList<ModelChoice>();
        for (ModelHandle m : session.models()) {
            keep.add(models.stream().filter(c -> c.model() == m).findFirst().orElseGet(() -> new ModelChoice(m)));
        }
        models.setAll(keep);
    }

    public TaskChoice task(String name) {
        return tasks.stream()
                .filter(t -> t.info().name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no task " + name));
    }

    /** Null when the selection can run, else what is missing. */
    public String problem() {
        if (models.stream().noneMatch(m -> m.selectedProperty().get()))
            return "Select at least one model (open one in Model).";
        var chosen = tasks.stream().filter(t -> t.selectedProperty().get()).toList();
        if (chosen.isEmpty()) return "Select at least one task.";
        for (TaskChoice t : chosen)
            if (!t.info().available())
                return t.info().displayName() + ": " + t.info().unavailableReason();
        String count = EvalSettingsCheck.countProblem("Items per task", Integer.toString(limit.get()));
        if (count != null) return count;
        if (!seedError.get().isEmpty()) return seedError.get();
        // null: the service's own default folder; a folder the user chose must still be there
        if (dataDir.get() != null) return EvalSettingsCheck.dataProblem(dataDir.get());
        return null;
    }

    /**
     * Queues one evaluation job per selected model, on the chosen executor; none (reported) when the executor
     * setting is not valid or Slurm cannot be reached from here.
     */
    public List<JobViewModel> run() {
        String problem = problem();
        if (problem != null) throw new IllegalStateException(problem);
        SuiteSpec.Executor where;
        try {
            where = executor.save();
        } catch (RuntimeException e) {
            errors.error("Executor setting is not valid", ErrorReporter.describe(e));
            return List.of();
        }
        String unavailable = services.evaluation().executorProblem(where);
        if (unavailable != null) {
            errors.error("Slurm is not available", unavailable);
            return List.of();
        }
        boolean onSlurm = where.isSlurm();
        List<String> taskNames = tasks.stream()
                .filter(t -> t.selectedProperty().get())
                .map(t -> t.info().name())
                .toList();
        ModelHandle base = session.baseModel();
        var out = new ArrayList<JobViewModel>();
        for (ModelChoice mc : models) {
            if (!mc.selectedProperty().get()) continue;
            ModelHandle m = mc.model();
            String label = base == null ? m.name() : base.name();
            var req = new EvaluationService.Request(
                    label,
                    m,
                    fidelity.get() && !m.isBase() ? base : null,
                    taskNames,
                    randomSample.get() ? 0 : limit.get(),
                    randomSample.get() ? limit.get() : 0,
                    seed.get(),
                    fidelity.get(),
                    dataDir.get(),
                    Map.copyOf(datasetFiles));
            ShardWatch shards = onSlurm ? new ShardWatch() : null;
            out.add(jobs.submit(
                    "evaluate",
                    "Evaluate " + m.name() + " on " + String.join(", ", taskNames)
                            + (limit.get() > 0
                                    ? (randomSample.get()
                                            ? " (random " + limit.get() + ", seed " + seed.get() + ")"
                                            : " (first " + limit.get() + ")")
                                    : "")
                            + (onSlurm ? ", Slurm" : ""),
                    shards,
                    (p, c) -> onSlurm
                            ? services.evaluation().evaluate(req, where, shards, p, c)
                            : services.evaluation().evaluate(req, p, c),
                    rows -> {
                        services.results().record(rows, layerErrors(m));
                        onResults.accept(rows);
                    },
                    t -> errors.error("Evaluation failed", ErrorReporter.describe(t))));
        }
        return out;
    }

    static List<LayerError> layerErrors(ModelHandle m) {
        if (m.report() == null) return List.of();
        return m.report().tensorErrors().stream()
                .map(e ->
                        new LayerError(m.report().method(), e.tensor(), e.relativeError(), e.relativeActivationError()))
                .toList();
    }

    /** Where the evaluations run (Local / Slurm and its options). */
    public ExecutorViewModel executor() {
        return executor;
    }

    public ObservableList<TaskChoice> tasks() {
        return tasks;
    }

    public ObservableList<ModelChoice> models() {
        return models;
    }

    public IntegerProperty limitProperty() {
        return limit;
    }

    /** True: the limit's items are a seeded random sample; false: the first items, as lm-eval's --limit. */
    public BooleanProperty randomSampleProperty() {
        return randomSample;
    }

    public LongProperty seedProperty() {
        return seed;
    }

    /** The seed as typed in the form; "abc" is kept here and refused by {@link #problem()}. */
    public StringProperty seedTextProperty() {
        return seedText;
    }

    public StringProperty seedErrorProperty() {
        return seedError;
    }

    public BooleanProperty fidelityProperty() {
        return fidelity;
    }

    public ObservableMap<String, Path> datasetFiles() {
        return datasetFiles;
    }

    public StringProperty availabilityProperty() {
        return availability;
    }

    /** Folder the tasks read their data from (shared data, downloads, or the repository's samples). */
    public javafx.beans.property.ObjectProperty<Path> dataDirProperty() {
        return dataDir;
    }
}
