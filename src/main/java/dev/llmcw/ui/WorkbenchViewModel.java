package dev.llmcw.ui;

import dev.llmcw.app.ExecutorSettings;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.compress.seedlm.SeedLmDescriptor;
import dev.llmcw.ui.charts.ChartsViewModel;
import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.common.Session;
import dev.llmcw.ui.compress.CompressViewModel;
import dev.llmcw.ui.evaluate.EvaluateViewModel;
import dev.llmcw.ui.finetune.FinetuneViewModel;
import dev.llmcw.ui.jobs.JobsViewModel;
import dev.llmcw.ui.model.ModelViewModel;
import dev.llmcw.ui.results.ResultsViewModel;
import dev.llmcw.ui.suites.SuitesViewModel;
import dev.llmcw.ui.task.TaskExecutor;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;

/** Root view model: owns the session, the job queue and one view model per view. */
public final class WorkbenchViewModel {
    private final WorkbenchServices services;
    private final TaskExecutor executor;
    private final ErrorReporter errors;
    private final Session session = new Session();
    private final JobsViewModel jobs;
    private final ModelViewModel model;
    private final CompressViewModel compress;
    private final FinetuneViewModel finetune;
    private final EvaluateViewModel evaluate;
    private final ResultsViewModel results;
    private final ChartsViewModel charts;
    private final SuitesViewModel suites;
    private final BooleanProperty demo = new SimpleBooleanProperty();

    public WorkbenchViewModel(
            WorkbenchServices services, TaskExecutor executor, ErrorReporter errors, RecentModels recents) {
        this.services = services;
        this.executor = executor;
        this.errors = errors;
        jobs = new JobsViewModel(executor);
        model = new ModelViewModel(services, executor, jobs, session, errors, recents);
        compress = new CompressViewModel(services, executor, jobs, session, errors);
        finetune = new FinetuneViewModel(services, executor, jobs, session, errors);
        results = new ResultsViewModel(services, executor, errors);
        suites = new SuitesViewModel(
                services.suites(), jobs, errors, results::refresh, executorSettings(services, errors));
        // one executor setting for the workspace: Evaluate shows the Suites view's form
        evaluate = new EvaluateViewModel(services, jobs, session, errors, rows -> results.refresh(), suites.executor());
        charts = new ChartsViewModel(services, results.runs());
        charts.followSelection(results.selected());
        results.refresh();
    }

    /** The workspace's executor setting; one that cannot be read is reported and the session starts from Local. */
    private static ExecutorSettings executorSettings(WorkbenchServices services, ErrorReporter errors) {
        try {
            return ExecutorSettings.inWorkspace(services.workspace());
        } catch (IllegalArgumentException e) {
            errors.error("Executor setting not read", e.getMessage());
            return ExecutorSettings.inMemory();
        }
    }

    /**
     * The offline first-start path: a small SYNTHETIC model generated locally plus the repository's
     * sample datasets, labelled DEMO everywhere, and every view preset for the shortest
     * compress → evaluate → chart round: SeedLM 4-bit with the quick 2^8-seed search (seconds on the
     * demo model; the paper's K = 16 takes minutes there), PIQA's sample items, fidelity on.
     */
    public void startDemo() {
        if (model.syntheticPresets().stream().noneMatch("demo"::equals)) {
            errors.error(
                    "DEMO workspace not available",
                    "The DEMO workspace needs the synthetic model generator (preset 'demo'), which is not in this build yet. "
                            + "Open a model file instead (e.g. stories260K.bin).");
            return;
        }
        demo.set(true);
        model.generateSynthetic("demo", 1);
        compress.choose("seedlm", SeedLmDescriptor.QUICK_4BIT);
        evaluate.limitProperty().set(50);
        evaluate.fidelityProperty().set(true);
        // The repository's own small samples: works offline, labelled as samples in every run's data folder.
        if (WorkbenchServices.samplesDir() != null) evaluate.dataDirProperty().set(WorkbenchServices.samplesDir());
        evaluate.tasks().stream()
                .filter(t -> t.info().name().equals("piqa") && t.info().available())
                .forEach(t -> t.selectedProperty().set(true));
    }

    /** Status bar text. */
    public StringBinding statusText() {
        var active = jobs.activeCount();
        return Bindings.createStringBinding(
                () -> {
                    var m = session.baseModel();
                    String model = m == null ? "no model open" : "model: " + m.name();
                    int n = active.get();
                    return model + "   ·   "
                            + (n == 0 ? "no jobs running" : n + (n == 1 ? " job" : " jobs") + " queued/running")
                            + "   ·   results: " + services.results().description();
                },
                session.baseModelProperty(),
                active);
    }

    public WorkbenchServices services() {
        return services;
    }

    public TaskExecutor executor() {
        return executor;
    }

    public Session session() {
        return session;
    }

    public JobsViewModel jobs() {
        return jobs;
    }

    public ModelViewModel model() {
        return model;
    }

    public CompressViewModel compress() {
        return compress;
    }

    public FinetuneViewModel finetune() {
        return finetune;
    }

    public EvaluateViewModel evaluate() {
        return evaluate;
    }

    public ResultsViewModel results() {
        return results;
    }

    public ChartsViewModel charts() {
        return charts;
    }

    public SuitesViewModel suites() {
        return suites;
    }

    public BooleanProperty demoProperty() {
        return demo;
    }
}
