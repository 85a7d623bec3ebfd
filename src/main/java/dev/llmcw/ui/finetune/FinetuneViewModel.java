package dev.llmcw.ui.finetune;

import dev.llmcw.app.ModelCard;
import dev.llmcw.app.ModelHandle;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.compress.caldera.adapt.AdaptedCalderaModel;
import dev.llmcw.compress.caldera.adapt.BlockwiseSettings;
import dev.llmcw.compress.caldera.adapt.FineTuner;
import dev.llmcw.compress.caldera.adapt.FinetuneRun;
import dev.llmcw.compress.caldera.adapt.FinetuneSettings;
import dev.llmcw.results.FinetuneRuns;
import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.common.Session;
import dev.llmcw.ui.jobs.JobViewModel;
import dev.llmcw.ui.jobs.JobsViewModel;
import dev.llmcw.ui.task.TaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/**
 * The fine-tuning step after a CALDERA compression with ft_rank &gt; 0: the settings (defaults from
 * {@link FinetuneSettings#DEFAULTS}, each field checked as typed), the run as a job (progress, measured ETA,
 * cancel; Resume continues from the checkpoint the cancelled run left), the training and held-out loss of every
 * step for the live chart, and the adapted model added to the session like a compressed one.
 */
public final class FinetuneViewModel {
    /** Held-out blocks a GUI fine-tuning evaluates at most (the command line's default). */
    private static final int HELD_OUT_BLOCKS = 16;

    /**
     * One step of the loss curve; {@code heldOut} is NaN on steps without an evaluation, {@code train} NaN at
     * step 0 (the held-out loss before training).
     */
    public record LossPoint(int step, double train, double heldOut) {}

    private final WorkbenchServices services;
    private final TaskExecutor executor;
    private final JobsViewModel jobs;
    private final Session session;
    private final ErrorReporter errors;
    private final FilteredList<ModelHandle> adaptable;
    private final ObjectProperty<ModelHandle> model = new SimpleObjectProperty<>();
    private final StringProperty trainText = new SimpleStringProperty("");
    private final StringProperty heldOutText = new SimpleStringProperty("");
    private final StringProperty trainBlocks = new SimpleStringProperty("0");
    private final StringProperty epochs = new SimpleStringProperty(str(FinetuneSettings.DEFAULTS.epochs()));
    private final StringProperty lr = new SimpleStringProperty(str(FinetuneSettings.DEFAULTS.lr()));
    private final StringProperty blockLen = new SimpleStringProperty(str(FinetuneSettings.DEFAULTS.blockLen()));
    private final StringProperty seed = new SimpleStringProperty(str(FinetuneSettings.DEFAULTS.seed()));
    private final StringProperty evalEvery = new SimpleStringProperty("10");
    private final BooleanProperty trainNorms = new SimpleBooleanProperty(FinetuneSettings.DEFAULTS.trainNorms());
    private final BooleanProperty blockwiseNorms = new SimpleBooleanProperty(false);
    private final BooleanProperty blockwiseHadamard = new SimpleBooleanProperty(false);
    private final BooleanProperty endToEnd = new SimpleBooleanProperty(true);
    private final StringProperty devText = new SimpleStringProperty("");
    private final StringProperty validation = new SimpleStringProperty("");
    private final StringProperty summary = new SimpleStringProperty("");
    private final ObservableList<LossPoint> losses = FXCollections.observableArrayList();

    public FinetuneViewModel(
            WorkbenchServices services,
            TaskExecutor executor,
            JobsViewModel jobs,
            Session session,
            ErrorReporter errors) {
        this.services = services;
        this.executor = executor;
        this.jobs = jobs;
        this.session = session;
        this.errors = errors;
        this.adaptable = new FilteredList<>(session.models(), FinetuneViewModel::isAdaptable);
        // the newest model that can be adapted (usually the CALDERA model just compressed) is the one offered
        adaptable.addListener((javafx.collections.ListChangeListener<ModelHandle>) c -> {
            if (!adaptable.isEmpty() && (model.get() == null || !adaptable.contains(model.get())))
                model.set(adaptable.getLast());
        });
        for (var p : new javafx.beans.Observable[] {
            model,
            trainText,
            heldOutText,
            trainBlocks,
            epochs,
            lr,
            blockLen,
            seed,
            evalEvery,
            blockwiseNorms,
            blockwiseHadamard,
            endToEnd,
            devText
        }) p.addListener(o -> validate());
        validate();
    }

    /** A CALDERA model compressed with ft_rank &gt; 0 and not yet adapted. */
    static boolean isAdaptable(ModelHandle m) {
        if (m == null || m.report() == null || !"caldera".equals(m.report().method())) return false;
        var params = m.report().parameters();
        if (params.containsKey(AdaptedCalderaModel.KEY_FINETUNE)) return false;
        try {
            return Integer.parseInt(params.getOrDefault("ft_rank", "0").trim()) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Checks every field; the first problem (one sentence naming the field) is the form's message. */
    public String validate() {
        String problem = firstProblem();
        validation.set(problem == null ? "" : problem);
        return problem;
    }

    private String firstProblem() {
        if (model.get() == null)
            return "Compress a model with CALDERA and ft_rank > 0 first: only its 16-bit factors can be fine-tuned.";
        boolean blockwise = blockwiseNorms.get() || blockwiseHadamard.get();
        if (!endToEnd.get() && !blockwise)
            return "Without the end-to-end stage there is nothing to train: tick a block-wise box.";
        String p = endToEnd.get() ? textProblem("Training text", trainText.get(), true) : null;
        if (p == null) p = textProblem("Held-out text", heldOutText.get(), false);
        if (p == null && blockwise) p = textProblem("Development text", devText.get(), true);
        if (p == null
                && blockwise
                && ((!heldOutText.get().isBlank() && path(devText).equals(path(heldOutText)))
                        || (!trainText.get().isBlank() && path(devText).equals(path(trainText)))))
            p = "Development text must be another file than the training and held-out texts.";
        if (p == null
                && !heldOutText.get().isBlank()
                && !trainText.get().isBlank()
                && path(trainText).equals(path(heldOutText)))
            p = "Held-out text must be another file than the training text: its loss would measure memorisation.";
        if (p == null) p = intProblem("Training blocks", trainBlocks.get(), 0);
        if (p == null) p = intProblem("Epochs", epochs.get(), 1);
        if (p == null) p = intProblem("Block length", blockLen.get(), 2);
        if (p == null) p = intProblem("Evaluate every", evalEvery.get(), 0);
        if (p == null) {
            try {
                double v = Double.parseDouble(lr.get().trim());
                if (!(v > 0 && v < 1))
                    p = "Learning rate must be a number between 0 and 1 (e.g. 1e-3), not " + lr.get() + ".";
            } catch (NumberFormatException e) {
                p = "Learning rate must be a number (e.g. 1e-3), not \"" + lr.get() + "\".";
            }
        }
        if (p == null) {
            try {
                Long.parseLong(seed.get().trim());
            } catch (NumberFormatException e) {
                p = "Seed must be a whole number, not \"" + seed.get() + "\".";
            }
        }
        return p;
    }

    private static String textProblem(String field, String value, boolean required) {
        if (value == null || value.isBlank())
            return required ? field + " is required: choose a UTF-8 text file to train on." : null;
        Path p = Path.of(value.trim());
        if (!Files.isRegularFile(p)) return field + " " + p + " does not exist or is not a file.";
        return null;
    }

    private static String intProblem(String field, String value, int min) {
        try {
            int v = Integer.parseInt(value.trim());
            return v >= min ? null : field + " must be at least " + min + ", not " + v + ".";
        } catch (NumberFormatException e) {
            return field + " must be a whole number, not \"" + value + "\".";
        }
    }

    private static Path path(StringProperty p) {
        return Path.of(p.get().trim()).toAbsolutePath().normalize();
    }

    /** The settings the form describes (valid form only). */
    public FinetuneSettings settings() {
        var d = FinetuneSettings.DEFAULTS;
        return new FinetuneSettings(
                Integer.parseInt(blockLen.get().trim()),
                Integer.parseInt(epochs.get().trim()),
                Double.parseDouble(lr.get().trim()),
                d.weightDecay(),
                d.warmupRatio(),
                d.clip(),
                d.gradAccum(),
                Long.parseLong(seed.get().trim()),
                trainNorms.get(),
                d.cosine());
    }

    /** The block-wise stage the form describes (defaults from {@link BlockwiseSettings#OFF} for its numbers). */
    public BlockwiseSettings blockwise() {
        var d = BlockwiseSettings.OFF;
        return new BlockwiseSettings(
                blockwiseNorms.get(),
                blockwiseHadamard.get(),
                endToEnd.get(),
                d.epochs(),
                d.scaleLr(),
                d.normLr(),
                d.blocksPerStep());
    }

    /** Queues the fine-tuning; the adapted model joins the session's models when it finishes. */
    public JobViewModel start() {
        String problem = validate();
        if (problem != null) throw new IllegalArgumentException(problem);
        ModelHandle source = model.get();
        var settings = settings();
        var blockwise = blockwise();
        Path train = trainText.get().isBlank() ? null : path(trainText),
                held = heldOutText.get().isBlank() ? null : path(heldOutText),
                dev = blockwise.enabled() ? path(devText) : null;
        int blocks = Integer.parseInt(trainBlocks.get().trim()),
                every = Integer.parseInt(evalEvery.get().trim());
        String stem = source.path().getFileName().toString().replaceFirst("\\.safetensors$", "");
        Path out = source.path().resolveSibling(stem + "-adapted.safetensors");
        var attempts = new AtomicInteger();
        losses.clear();
        summary.set("");
        return jobs.submit(
                "finetune",
                "Fine-tune " + source.name() + " ("
                        + (blockwise.enabled() ? blockwise.describe() + "; " : "")
                        + settings.describe() + ")",
                (p, c) -> {
                    // the first run starts afresh; a resumed one continues from the checkpoint the cancel left
                    var run = new FinetuneRun(
                            source.model(),
                            train,
                            blocks,
                            held,
                            HELD_OUT_BLOCKS,
                            settings,
                            every,
                            0,
                            out,
                            attempts.getAndIncrement() > 0,
                            blockwise,
                            dev,
                            16,
                            null);
                    long t0 = System.nanoTime();
                    FineTuner.Listener steps = new FineTuner.Listener() {
                        @Override
                        public void step(FineTuner.Step s) {
                            p.update("fine-tuning", s.step(), s.total(), lossText(s));
                            executor.runOnUi(() -> losses.add(new LossPoint(s.step(), s.trainLoss(), s.heldOutLoss())));
                        }

                        @Override
                        public void started(int step, double heldOut) {
                            // the curve's starting point; a resumed run's is the last point already shown
                            if (step == 0 && !Double.isNaN(heldOut))
                                executor.runOnUi(() -> losses.add(new LossPoint(0, Double.NaN, heldOut)));
                        }
                    };
                    var result = run.run(steps, c);
                    p.log(String.format(
                            Locale.ROOT,
                            "wrote %s: held-out loss %.4f → %.4f",
                            out,
                            result.heldOutBefore(),
                            result.heldOutAfter()));
                    var report = FinetuneRun.adaptedReport(source.report(), result, (System.nanoTime() - t0) / 1e9);
                    var loaded = services.models().open(out, null).model();
                    if (loaded.tokenizer() == null)
                        loaded = loaded.withTokenizer(source.model().tokenizer());
                    services.results().recordCompression(session.baseModel(), report);
                    if (held != null && !Double.isNaN(result.heldOutAfter()))
                        services.results()
                                .recordFinetuneRun(
                                        report,
                                        new FinetuneRuns.HeldOut(
                                                held,
                                                held.getFileName().toString(),
                                                HELD_OUT_BLOCKS,
                                                result.heldOutBefore(),
                                                Double.NaN,
                                                result.heldOutAfter()));
                    return new Adapted(
                            new ModelHandle(source.name() + " · fine-tuned", out, loaded, ModelCard.of(loaded), report),
                            result);
                },
                a -> {
                    session.addVariant(a.handle());
                    summary.set(String.format(
                            Locale.ROOT,
                            "Adapted model %s: held-out loss %.4f before, %.4f after (%d steps).",
                            a.handle().path().getFileName(),
                            a.result().heldOutBefore(),
                            a.result().heldOutAfter(),
                            a.result().steps()));
                },
                t -> errors.error("Fine-tuning failed", ErrorReporter.describe(t)));
    }

    private record Adapted(ModelHandle handle, FinetuneRun.Result result) {}

    private static String lossText(FineTuner.Step s) {
        return Double.isNaN(s.heldOutLoss())
                ? String.format(Locale.ROOT, "train loss %.4f", s.trainLoss())
                : String.format(Locale.ROOT, "train loss %.4f, held-out %.4f", s.trainLoss(), s.heldOutLoss());
    }

    private static String str(Object o) {
        return String.valueOf(o);
    }

    public BooleanBinding canStart() {
        return Bindings.createBooleanBinding(() -> validation.get().isEmpty(), validation);
    }

    public ObservableList<ModelHandle> adaptableModels() {
        return adaptable;
    }

    public ObjectProperty<ModelHandle> modelProperty() {
        return model;
    }

    public StringProperty trainTextProperty() {
        return trainText;
    }

    public StringProperty heldOutTextProperty() {
        return heldOutText;
    }

    public StringProperty trainBlocksProperty() {
        return trainBlocks;
    }

    public StringProperty epochsProperty() {
        return epochs;
    }

    public StringProperty lrProperty() {
        return lr;
    }

    public StringProperty blockLenProperty() {
        return blockLen;
    }

    public StringProperty seedProperty() {
        return seed;
    }

    public StringProperty evalEveryProperty() {
        return evalEvery;
    }

    public BooleanProperty trainNormsProperty() {
        return trainNorms;
    }

    public BooleanProperty blockwiseNormsProperty() {
        return blockwiseNorms;
    }

    public BooleanProperty blockwiseHadamardProperty() {
        return blockwiseHadamard;
    }

    public BooleanProperty endToEndProperty() {
        return endToEnd;
    }

    public StringProperty devTextProperty() {
        return devText;
    }

    public StringProperty validationProperty() {
        return validation;
    }

    public StringProperty summaryProperty() {
        return summary;
    }

    /** Training and held-out loss per step of the current run, appended on the UI thread as steps finish. */
    public ObservableList<LossPoint> losses() {
        return losses;
    }
}
