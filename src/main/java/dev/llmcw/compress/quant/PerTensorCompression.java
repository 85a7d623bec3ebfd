package dev.llmcw.compress.quant;

import dev.llmcw.compress.CompressionReport;
import dev.llmcw.compress.KeptTensors;
import dev.llmcw.compress.PartwiseCompression;
import dev.llmcw.compress.SizeEstimate;
import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Json;
import dev.llmcw.util.PartsProgress;
import dev.llmcw.util.ProcessStats;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.ejml.data.DMatrixRMaj;

/**
 * Skeleton of methods that compress the block linears one tensor at a time (RTN, GPTQ, CALDERA):
 * each tensor's result is written to its own part file in the work folder (resume after interruption),
 * then the final file is assembled from kept tensors and parts.
 */
public abstract class PerTensorCompression implements PartwiseCompression {
    /** Errors of one compressed tensor (NaN where not measured). */
    public record Outcome(double relativeError, double relativeActivationError) {}

    /** Time one tensor took: wall clock and process CPU time (all threads, so ≈ wall × busy cores). */
    public record TensorTiming(
            String name, int rows, int cols, double wallSeconds, double cpuSeconds, boolean resumed) {}

    private Path tokenizer;
    private DType keep = KeptTensors.DEFAULT;
    private List<String> warnings = List.of();
    private final List<TensorTiming> timings = new ArrayList<>();
    private double prepareWall, prepareCpu;

    /** Per-tensor times of the last {@link #compress} (resumed tensors have zero times). */
    public synchronized List<TensorTiming> timings() {
        return List.copyOf(timings);
    }

    /** Wall and CPU seconds of the last {@link #compress}'s {@link #prepare} (calibration). */
    public double prepareWallSeconds() {
        return prepareWall;
    }

    public double prepareCpuSeconds() {
        return prepareCpu;
    }

    /** Records the tokenizer used with the source model in the written file (null: the source's own). */
    public PerTensorCompression withTokenizer(Path tokenizer) {
        this.tokenizer = tokenizer;
        return this;
    }

    /** Stores the tensors this method does not compress as {@code type} ({@link KeptTensors}; default BF16). */
    public PerTensorCompression keepingTensorsAs(DType type) {
        this.keep = type;
        return this;
    }

    public DType keptType() {
        return keep;
    }

    /**
     * {@link #parameters()} plus the kept-tensor policy: what the file's metadata and the report record, so
     * every result shows the policy its whole-model bits per weight were counted under.
     */
    public Map<String, String> recordedParameters() {
        Map<String, String> m = new LinkedHashMap<>(parameters());
        m.put(KeptTensors.KEY, KeptTensors.id(keep));
        if (!warnings.isEmpty()) m.put(WARNING, String.join("; ", warnings));
        return m;
    }

    /** Key of the recorded parameters holding the last run's warnings (absent when there were none). */
    public static final String WARNING = "warning";

    /** What the user should know about this setting on {@code model} (e.g. a capped rank); logged and recorded. */
    protected List<String> warnings(Model model) {
        return List.of();
    }

    /** Called once before the tensors (calibration etc.). */
    protected void prepare(Model model, ProgressListener progress, CancellationToken cancel) throws IOException {}

    /** Compresses one weight matrix into {@code part} (entries prefixed by {@code name}). */
    protected abstract Outcome compressTensor(
            Model model,
            String name,
            float[] w,
            int rows,
            int cols,
            SafetensorsWriter part,
            ProgressListener progress,
            CancellationToken cancel);

    /** Bits the stored form of one rows×cols tensor takes. */
    protected abstract long tensorBits(int rows, int cols);

    /** Bits the stored form of weight {@code name} of {@code model} takes; methods whose type varies by tensor override. */
    protected long tensorBits(Model model, String name, int rows, int cols) {
        return tensorBits(rows, cols);
    }

    /** Tensors this method compresses: the seven linears of every block. */
    public List<String> targets(Model model) {
        return WeightNames.blockLinearWeights(model.config().nLayers());
    }

    @Override
    public SizeEstimate estimate(Model model) {
        long params = 0, bits = 0;
        for (String n : targets(model)) {
            var t = model.tensor(n);
            params += t.numel();
            bits += tensorBits(model, n, t.rows(), t.cols());
        }
        long kept = KeptTensors.bytes(model, new HashSet<>(targets(model)), keep);
        long total = kept + (bits + 7) / 8;
        long totalParams = 0;
        for (var t : model.tensors().values()) totalParams += t.numel();
        return new SizeEstimate(
                params,
                (double) bits / params,
                totalParams,
                total,
                8.0 * total / totalParams,
                convention() + "; kept tensors " + KeptTensors.id(keep));
    }

    /** How bits are counted, in words. */
    protected abstract String convention();

    @Override
    public CompressionReport compress(
            Model model, Path out, Path workDir, ProgressListener progress, CancellationToken cancel)
            throws IOException {
        if (progress == null) progress = ProgressListener.NONE;
        if (cancel == null) cancel = CancellationToken.none();
        long t0 = System.nanoTime();
        if (workDir == null) workDir = out.toAbsolutePath().resolveSibling(out.getFileName() + ".work");
        List<String> names = targets(model);
        List<CompressionReport.TensorError> errors = compressTensors(model, names, workDir, progress, cancel);
        SafetensorsWriter w = CompressedFiles.newWriter(model, name(), recordedParameters(), tokenizer);
        Set<String> compressed = new HashSet<>(names);
        KeptTensors.add(w, model, compressed, keep);
        for (String name : names)
            CompressedFiles.copyAll(SafetensorsFile.open(CompressedFiles.partFile(workDir, name)), w);
        w.write(out);
        return new CompressionReport(
                out, name(), recordedParameters(), estimate(model), errors, (System.nanoTime() - t0) / 1e9);
    }

    @Override
    public List<String> partTargets(Model model) {
        return targets(model);
    }

    @Override
    public void compressParts(
            Model model, Collection<String> tensors, Path workDir, ProgressListener progress, CancellationToken cancel)
            throws IOException {
        Set<String> wanted = new HashSet<>(tensors);
        List<String> names = targets(model).stream().filter(wanted::contains).toList();
        if (names.size() != wanted.size())
            throw new IllegalArgumentException(
                    name() + " does not compress all of " + tensors + " (its tensors: the block linears)");
        compressTensors(
                model,
                names,
                workDir,
                progress == null ? ProgressListener.NONE : progress,
                cancel == null ? CancellationToken.none() : cancel);
    }

    /** Where the statistics every tensor reads come from (null: a data-free method, or none configured). */
    protected CalibrationSpec calibrationSpec() {
        return null;
    }

    @Override
    public String sharedInputKey(String modelHash) {
        CalibrationSpec c = calibrationSpec();
        return c == null ? null : c.cacheKey(modelHash);
    }

    @Override
    public Path sharedInputFolder(String modelHash) {
        CalibrationSpec c = calibrationSpec();
        return c == null ? null : c.cacheFolder(modelHash);
    }

    /** The calibration pass ({@link #prepare}), whose statistics land in the cache the parts read. */
    @Override
    public void prepareShared(Model model, ProgressListener progress, CancellationToken cancel) throws IOException {
        prepare(model, progress == null ? ProgressListener.NONE : progress, cancel);
    }

    @Override
    public boolean sharedInputReady(Model model) {
        CalibrationSpec c = calibrationSpec();
        return c == null || c.isCached(model);
    }

    /**
     * Compresses {@code names} one by one into their part files (a part made by the same setting is reused),
     * preparing first only when one is missing: an assembly of finished parts needs no calibration.
     */
    private List<CompressionReport.TensorError> compressTensors(
            Model model, List<String> names, Path workDir, ProgressListener progress, CancellationToken cancel)
            throws IOException {
        Files.createDirectories(workDir);
        String params = Json.write(parameters());
        prepareWall = prepareCpu = 0;
        if (!names.stream().allMatch(n -> partDone(CompressedFiles.partFile(workDir, n), params))) {
            double cpu0 = ProcessStats.cpuSeconds();
            long p0 = System.nanoTime();
            prepare(model, progress, cancel);
            prepareWall = (System.nanoTime() - p0) / 1e9;
            prepareCpu = ProcessStats.cpuSeconds() - cpu0;
        }
        warnings = List.copyOf(warnings(model));
        for (String w : warnings) progress.log("warning: " + w);
        if (prepareWall > 1)
            progress.log(String.format(Locale.ROOT, "prepared in %.1f s wall, %.1f s CPU", prepareWall, prepareCpu));
        // one progress stage over all tensors' weights (a job's bar and ETA; a method's own per-tensor
        // steps, such as CALDERA's iterations, move it within the tensor's share)
        long weights = 0;
        for (String name : names) weights += model.tensor(name).numel();
        var job = new PartsProgress(progress, name(), "weights", weights);
        List<CompressionReport.TensorError> errors = new ArrayList<>();
        synchronized (this) {
            timings.clear();
        }
        String layer = null;
        double layerWall = 0, layerCpu = 0, allWall = 0, allCpu = 0;
        int layerTensors = 0;
        for (int i = 0; i < names.size(); i++) {
            cancel.throwIfCancelled();
            String name = names.get(i);
            String thisLayer =
                    Objects.requireNonNullElse(WeightNames.layerOf(name), name); // other names: their own layer
            if (layer != null && !layer.equals(thisLayer)) {
                logLayer(progress, layer, layerTensors, layerWall, layerCpu, allWall, i, names.size());
                layerWall = layerCpu = 0;
                layerTensors = 0;
            }
            layer = thisLayer;
            Path part = CompressedFiles.partFile(workDir, name);
            // A part is reused only if it was made by the same method with the same parameters.
            if (partDone(part, params)) {
                var md = SafetensorsFile.open(part).metadata();
                errors.add(new CompressionReport.TensorError(
                        name, Double.parseDouble(md.get("rel_error")), Double.parseDouble(md.get("rel_act_error"))));
                var t = model.tensor(name);
                synchronized (this) {
                    timings.add(new TensorTiming(name, t.rows(), t.cols(), 0, 0, true));
                }
                job.resumed(t.numel(), name);
                continue;
            }
            var t = model.tensor(name);
            long s0 = System.nanoTime();
            double c0 = ProcessStats.cpuSeconds();
            SafetensorsWriter pw = new SafetensorsWriter();
            Outcome o = compressTensor(
                    model, name, t.toFloatArray(), t.rows(), t.cols(), pw, job.part(name, t.numel()), cancel);
            pw.metadata("params", params);
            pw.metadata("rel_error", Double.toString(o.relativeError()));
            pw.metadata("rel_act_error", Double.toString(o.relativeActivationError()));
            pw.write(part);
            double wall = (System.nanoTime() - s0) / 1e9, cpu = ProcessStats.cpuSeconds() - c0;
            synchronized (this) {
                timings.add(new TensorTiming(name, t.rows(), t.cols(), wall, cpu, false));
            }
            layerWall += wall;
            layerCpu += cpu;
            allWall += wall;
            allCpu += cpu;
            layerTensors++;
            errors.add(new CompressionReport.TensorError(name, o.relativeError(), o.relativeActivationError()));
            // the activation error needs calibration data (GPTQ, CALDERA); RTN has none to show
            String actErr = Double.isNaN(o.relativeActivationError())
                    ? ""
                    : String.format(Locale.ROOT, " act.err %.4f", o.relativeActivationError());
            job.finished(
                    t.numel(),
                    String.format(
                            Locale.ROOT,
                            "%s rel.err %.4f%s, %.1f s (%.1f s CPU)",
                            name,
                            o.relativeError(),
                            actErr,
                            wall,
                            cpu));
        }
        if (layer != null)
            logLayer(progress, layer, layerTensors, layerWall, layerCpu, allWall, names.size(), names.size());
        if (allWall > 0) {
            progress.log(String.format(
                    Locale.ROOT,
                    "%s: %d tensors in %.1f s wall, %.1f s CPU (+ %.1f s wall, %.1f s CPU preparing)",
                    name(),
                    names.size(),
                    allWall,
                    allCpu,
                    prepareWall,
                    prepareCpu));
        }
        return errors;
    }

    /** Whether {@code part} exists and was made with these parameters (JSON). */
    private static boolean partDone(Path part, String params) {
        return Files.isRegularFile(part)
                && params.equals(SafetensorsFile.open(part).metadata().get("params"));
    }

    private void logLayer(
            ProgressListener progress,
            String layer,
            int tensors,
            double wall,
            double cpu,
            double allWall,
            int done,
            int total) {
        if (tensors == 0) return;
        String eta = done < total && done > 0
                ? String.format(Locale.ROOT, ", about %.1f min to go", allWall / done * (total - done) / 60)
                : "";
        progress.log(String.format(
                Locale.ROOT,
                "layer %s: %d tensors in %.1f s wall, %.1f s CPU; %d/%d tensors done%s",
                layer,
                tensors,
                wall,
                cpu,
                done,
                total,
                eta));
    }

    public static double relativeError(float[] w, double[] q) {
        double num = 0, den = 0;
        for (int i = 0; i < w.length; i++) {
            double d = w[i] - q[i];
            num += d * d;
            den += (double) w[i] * w[i];
        }
        return den == 0 ? 0 : Math.sqrt(num / den);
    }

    /** sqrt(tr(ΔHΔᵀ)/tr(WHWᵀ)). */
    public static double relativeActivationError(float[] w, double[] q, int rows, int cols, DMatrixRMaj h) {
        DMatrixRMaj d = new DMatrixRMaj(rows, cols), wm = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < w.length; i++) {
            d.data[i] = w[i] - q[i];
            wm.data[i] = w[i];
        }
        double den = Dense.traceQuad(wm, h);
        return den == 0 ? 0 : Math.sqrt(Dense.traceQuad(d, h) / den);
    }
}
