package dev.llmcw.ui.compress;

import dev.llmcw.app.CompressionService.MethodInfo;
import dev.llmcw.app.CompressionSettings;
import dev.llmcw.app.ModelCard;
import dev.llmcw.app.ModelHandle;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.compress.CompressionReport;
import dev.llmcw.compress.MethodDescriptor;
import dev.llmcw.compress.MethodParameter;
import dev.llmcw.compress.MethodPreset;
import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.compress.SizeCheck;
import dev.llmcw.compress.SizeEstimate;
import dev.llmcw.compress.calibration.CalibrationCheck;
import dev.llmcw.compress.calibration.CalibrationParameters;
import dev.llmcw.eval.EvalSettingsCheck;
import dev.llmcw.eval.TaskRegistry;
import dev.llmcw.model.Model;
import dev.llmcw.report.Formats;
import dev.llmcw.ui.common.ErrorReporter;
import dev.llmcw.ui.common.Session;
import dev.llmcw.ui.jobs.JobViewModel;
import dev.llmcw.ui.jobs.JobsViewModel;
import dev.llmcw.ui.task.BackgroundTask;
import dev.llmcw.ui.task.TaskExecutor;
import dev.llmcw.util.Hashing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

/**
 * Method and settings, the knobs and presets taken from the method's {@link MethodDescriptor}, validated as typed, with the size the setting will produce shown live from
 * {@code CompressionMethod.estimate()} before anything runs.
 */
public final class CompressViewModel {
    /** One knob bound to a text field. */
    public static final class ParamField {
        private final MethodParameter spec;
        private final StringProperty value = new SimpleStringProperty();
        private final StringProperty error = new SimpleStringProperty("");

        ParamField(MethodParameter spec) {
            this.spec = spec;
            value.set(spec.defaultValue() == null ? "" : spec.defaultValue());
        }

        public MethodParameter spec() {
            return spec;
        }

        public StringProperty valueProperty() {
            return value;
        }

        public StringProperty errorProperty() {
            return error;
        }
    }

    private final WorkbenchServices services;
    private final TaskExecutor executor;
    private final JobsViewModel jobs;
    private final Session session;
    private final ErrorReporter errors;
    private final ObservableList<MethodInfo> methods = FXCollections.observableArrayList();
    private final ObjectProperty<MethodInfo> method = new SimpleObjectProperty<>();
    private final ObservableList<MethodPreset> presets = FXCollections.observableArrayList();
    private final ObjectProperty<MethodPreset> preset = new SimpleObjectProperty<>();
    private final ObservableList<ParamField> fields = FXCollections.observableArrayList();
    private final StringProperty validation = new SimpleStringProperty("");
    private final BooleanProperty valid = new SimpleBooleanProperty();
    private final StringProperty estimate = new SimpleStringProperty("");
    private final StringProperty estimateDetail = new SimpleStringProperty("");
    private final ObjectProperty<SizeEstimate> estimateValue = new SimpleObjectProperty<>();
    private final StringProperty availability = new SimpleStringProperty("");
    /** Shown next to the bits/weight: the setting makes the model larger than the original ("" when it does not). */
    private final StringProperty sizeWarning = new SimpleStringProperty("");
    /** The calibration file shares passages with an evaluation text ("" when it does not). */
    private final StringProperty calibrationWarning = new SimpleStringProperty("");

    private boolean applyingPreset;
    /** The last chosen preset's values of knobs that are not form fields. */
    private final Map<String, String> presetHiddenValues = new LinkedHashMap<>();

    private int estimateGeneration;

    public CompressViewModel(
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
        methods.setAll(services.compression().methods());
        method.addListener((o, a, m) -> methodChanged(m));
        preset.addListener((o, a, p) -> applyPreset(p));
        session.baseModelProperty().addListener((o, a, m) -> refresh());
        method.set(methods.stream()
                .filter(MethodInfo::available)
                .findFirst()
                .orElse(methods.isEmpty() ? null : methods.getFirst()));
    }

    private void methodChanged(MethodInfo m) {
        fields.clear();
        presetHiddenValues.clear();
        presets.clear();
        if (m == null) return;
        var descriptor = MethodRegistry.find(m.name());
        var specs = descriptor
                .map(d ->
                        d.parameters().stream().filter(MethodParameter::inForm).toList())
                .orElse(List.of());
        for (var spec : specs) {
            var f = new ParamField(spec);
            f.valueProperty().addListener((o, a, v) -> {
                if (!applyingPreset) preset.set(null);
                refresh();
            });
            fields.add(f);
        }
        presets.setAll(descriptor.map(MethodDescriptor::presets).orElse(List.of()));
        availability.set(m.available() ? "" : m.unavailableReason());
        if (!presets.isEmpty()) preset.set(presets.getFirst());
        refresh();
    }

    private void applyPreset(MethodPreset p) {
        if (p == null) return;
        presetHiddenValues.clear();
        var inForm = fields.stream().map(f -> f.spec().key()).toList();
        p.values().forEach((k, v) -> {
            if (!inForm.contains(k)) presetHiddenValues.put(k, v);
        });
        applyingPreset = true;
        try {
            for (ParamField f : fields) {
                String v = p.values().get(f.spec().key());
                if (v != null) f.valueProperty().set(v);
            }
        } finally {
            applyingPreset = false;
        }
        refresh();
    }

    /** Current settings (blank optional knobs left out). */
    public CompressionSettings settings() {
        var params = new LinkedHashMap<String, String>();
        // Knobs kept out of the form are set by presets (MethodParameter.notInForm), e.g. the exact SVD of
        // CALDERA's official recipe: the last preset chosen keeps them while the form's fields are edited.
        params.putAll(presetHiddenValues);
        for (ParamField f : fields) {
            String v = f.valueProperty().get();
            if (v != null && !v.isBlank()) params.put(f.spec().key(), v.trim());
        }
        return new CompressionSettings(method.get() == null ? "" : method.get().name(), params);
    }

    /** Re-validates and re-estimates; called on every change. */
    void refresh() {
        String first = null;
        for (ParamField f : fields) {
            String e = f.spec().validateWithFile(f.valueProperty().get());
            if (e == null && isCalibrationFile(f)) e = CalibrationCheck.fileProblem(calibrationFile(f));
            f.errorProperty().set(e == null ? "" : e);
            if (e != null && first == null) first = e;
        }
        validation.set(first == null ? "" : first);
        valid.set(first == null && method.get() != null);
        updateEstimate();
    }

    private static boolean isCalibrationFile(ParamField f) {
        String v = f.valueProperty().get();
        return f.spec().key().equals("calib") && v != null && !v.isBlank();
    }

    private static Path calibrationFile(ParamField f) {
        return Path.of(f.valueProperty().get().trim());
    }

    /**
     * The estimate and, for a calibration file the user chose, whether it has enough tokens for N × L (an error)
     * and whether it shares passages with the evaluation texts of the data folder (a warning).
     */
    private record Checked(
            SizeEstimate estimate, String calibrationProblem, String calibrationWarning, String invalidSetting) {
        Checked(SizeEstimate estimate, String calibrationProblem, String calibrationWarning) {
            this(estimate, calibrationProblem, calibrationWarning, null);
        }
    }

    private Checked estimateAndCheck(CompressionSettings settings, Model model) {
        SizeEstimate est;
        try {
            est = services.compression().estimate(settings, model);
        } catch (IllegalArgumentException e) {
            // a combination the method refuses (often a half-typed one, e.g. C set before P and K): an answer
            // for the user, not a failure of the background task
            return new Checked(null, null, null, e.getMessage());
        }
        var calib = fields.stream().filter(CompressViewModel::isCalibrationFile).findFirst();
        if (calib.isEmpty() || model.tokenizer() == null) return new Checked(est, null, null);
        int count = CalibrationParameters.integer(settings.parameters(), "calib_seqs");
        int length = CalibrationParameters.integer(settings.parameters(), "calib_len");
        Path file = calibrationFile(calib.get());
        String problem = CalibrationCheck.tokenProblem(file, model.tokenizer(), count, length);
        if (problem != null) return new Checked(est, problem, null);
        var warnings = new ArrayList<String>();
        Path data = services.evaluation().defaultDataDir();
        for (Path text : EvalSettingsCheck.evaluationTexts(TaskRegistry.names(), data, null)) {
            String w = CalibrationCheck.overlapWarning(file, model.tokenizer(), count, length, text);
            if (w != null) warnings.add(w);
        }
        return new Checked(est, null, String.join("\n", warnings));
    }

    private void updateEstimate() {
        int gen = ++estimateGeneration;
        estimateValue.set(null);
        sizeWarning.set("");
        calibrationWarning.set("");
        MethodInfo m = method.get();
        ModelHandle model = session.baseModel();
        if (m == null) {
            estimate.set("");
            estimateDetail.set("");
        } else if (!m.available()) {
            estimate.set("Size estimate not available");
            estimateDetail.set(m.unavailableReason());
        } else if (!valid.get()) {
            estimate.set("—");
            estimateDetail.set(validation.get());
        } else if (model == null) {
            estimate.set("Open a model to see the resulting size");
            estimateDetail.set("");
        } else {
            var settings = settings();
            estimate.set("estimating …");
            estimateDetail.set("");
            executor.execute(BackgroundTask.of((p, c) -> estimateAndCheck(settings, model.model()))
                    .onSuccess(checked -> {
                        if (gen != estimateGeneration) return;
                        if (checked.invalidSetting() != null) {
                            estimate.set("Invalid setting");
                            estimateDetail.set(checked.invalidSetting());
                            return;
                        }
                        if (checked.calibrationProblem() != null) {
                            field("calib").errorProperty().set(checked.calibrationProblem());
                            validation.set(checked.calibrationProblem());
                            valid.set(false);
                            estimate.set("—");
                            estimateDetail.set(checked.calibrationProblem());
                            return;
                        }
                        SizeEstimate est = checked.estimate();
                        estimateValue.set(est);
                        estimate.set(describe(est, model.card()));
                        estimateDetail.set(est.convention());
                        String larger =
                                SizeCheck.largerThanOriginal(est, model.card().weightBytes());
                        sizeWarning.set(larger == null ? "" : larger);
                        calibrationWarning.set(
                                checked.calibrationWarning() == null ? "" : checked.calibrationWarning());
                    })
                    .onFailure(t -> {
                        if (gen != estimateGeneration) return;
                        estimate.set("Invalid setting");
                        estimateDetail.set(ErrorReporter.describe(t));
                    }));
        }
    }

    static String describe(SizeEstimate e, ModelCard base) {
        return String.format(
                Locale.ROOT,
                "%.3f bits/weight (compressed tensors) · %.3f overall · %s (from %s, %.1f×)",
                e.bitsPerCompressedWeight(),
                e.bitsPerWeightOverall(),
                Formats.size(e.totalBytes()),
                Formats.size(base.weightBytes()),
                base.weightBytes() / (double) Math.max(1, e.totalBytes()));
    }

    /** Queues the compression; the compressed model joins the session's models when it finishes. */
    public JobViewModel compress() {
        ModelHandle base = session.baseModel();
        var settings = settings();
        if (base == null) throw new IllegalStateException("no model open");
        // the button is disabled while a field is invalid; a click that gets here anyway starts no job
        if (!canCompress().get())
            throw new IllegalStateException(
                    validation.get().isEmpty() ? "the method is not available" : validation.get());
        String key = Hashing.sha256(base.path() + "|" + settings).substring(0, 12);
        String stem = safe(base.name()) + "-" + settings.method() + "-" + key;
        Path out = services.workspace().resolve("compressed").resolve(stem + ".safetensors");
        Path work = services.workspace().resolve("work").resolve(stem);
        return jobs.submit(
                "compress",
                "Compress " + base.name() + " with " + settings,
                (p, c) -> {
                    CompressionReport r = services.compression().compress(settings, base.model(), out, work, p, c);
                    p.log(String.format(
                            Locale.ROOT,
                            "wrote %s (%s) in %.1f s",
                            r.file(),
                            Formats.size(r.size().totalBytes()),
                            r.seconds()));
                    var loaded = services.models().open(r.file(), null);
                    var model = loaded.model();
                    // Same vocabulary as the source: evaluate it with the tokenizer the source was opened with.
                    if (model.tokenizer() == null && base.model().tokenizer() != null)
                        model = model.withTokenizer(base.model().tokenizer());
                    services.results().recordCompression(base, r);
                    return new ModelHandle(base.name() + " · " + settings, r.file(), model, ModelCard.of(model), r);
                },
                session::addVariant,
                t -> errors.error("Compression failed", ErrorReporter.describe(t)));
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]+", "_");
    }

    /** Selects a method and one of its presets by name (as the DEMO workspace does); false when either is missing. */
    public boolean choose(String methodName, String presetLabel) {
        var m = methods.stream()
                .filter(x -> x.name().equals(methodName) && x.available())
                .findFirst();
        if (m.isEmpty()) return false;
        method.set(m.get());
        var p = presets.stream().filter(x -> x.label().equals(presetLabel)).findFirst();
        p.ifPresent(preset::set);
        return p.isPresent();
    }

    public BooleanBinding canCompress() {
        return Bindings.createBooleanBinding(
                () -> valid.get() && method.get() != null && method.get().available() && session.baseModel() != null,
                valid,
                method,
                session.baseModelProperty());
    }

    public ObservableList<MethodInfo> methods() {
        return methods;
    }

    public ObjectProperty<MethodInfo> methodProperty() {
        return method;
    }

    public ObservableList<MethodPreset> presets() {
        return presets;
    }

    public ObjectProperty<MethodPreset> presetProperty() {
        return preset;
    }

    public ObservableList<ParamField> fields() {
        return fields;
    }

    public ParamField field(String key) {
        return fields.stream()
                .filter(f -> f.spec().key().equals(key))
                .findFirst()
                .orElseThrow();
    }

    public StringProperty validationProperty() {
        return validation;
    }

    public BooleanProperty validProperty() {
        return valid;
    }

    public StringProperty estimateProperty() {
        return estimate;
    }

    public StringProperty estimateDetailProperty() {
        return estimateDetail;
    }

    public ObjectProperty<SizeEstimate> estimateValueProperty() {
        return estimateValue;
    }

    public StringProperty availabilityProperty() {
        return availability;
    }

    public StringProperty sizeWarningProperty() {
        return sizeWarning;
    }

    public StringProperty calibrationWarningProperty() {
        return calibrationWarning;
    }

    public Map<String, String> currentValues() {
        return settings().parameters();
    }
}
