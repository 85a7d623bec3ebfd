package dev.llmcw.compress.quant;

import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.CompressionReport;
import dev.llmcw.compress.SizeEstimate;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Skeleton of methods that compress the block linears one tensor at a time (RTN, GPTQ, CALDERA):
 * each tensor's result is written to its own part file in the work folder (resume after interruption),
 * then the final file is assembled from kept tensors and parts.
 */
public abstract class PerTensorCompression implements CompressionMethod {
    /** Errors of one compressed tensor (NaN where not measured). */
    public record Outcome(double relativeError, double relativeActivationError) {}

    private Path tokenizer;

    /** Records the tokenizer used with the source model in the written file (null: the source's own). */
    public PerTensorCompression withTokenizer(Path tokenizer) {
        this.tokenizer = tokenizer;
        return this;
    }

    /** Called once before the tensors (calibration etc.). */
    protected void prepare(Model model, ProgressListener progress, CancellationToken cancel) throws IOException {}

    /** Compresses one weight matrix into {@code part} (entries prefixed by {@code name}). */
    protected abstract Outcome compressTensor(Model model, String name, float[] w, int rows, int cols, SafetensorsWriter part,
                                              ProgressListener progress, CancellationToken cancel);

    /** Bits the stored form of one rows×cols tensor takes. */
    protected abstract long tensorBits(int rows, int cols);

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
            bits += tensorBits(t.rows(), t.cols());
        }
        long kept = CompressedFiles.keptBytes(model, new HashSet<>(targets(model)));
        long total = kept + (bits + 7) / 8;
        long totalParams = 0;
        for (var t : model.tensors().values()) totalParams += t.numel();
        return new SizeEstimate(params, (double) bits / params, totalParams, total, 8.0 * total / totalParams, convention());
    }

    /** How bits are counted, in words. */
    protected abstract String convention();

    @Override
    public CompressionReport compress(Model model, Path out, Path workDir, ProgressListener progress,
                                      CancellationToken cancel) throws IOException {
        if (progress == null) progress = ProgressListener.NONE;
        if (cancel == null) cancel = CancellationToken.none();
        long t0 = System.nanoTime();
        if (workDir == null) workDir = out.toAbsolutePath().resolveSibling(out.getFileName() + ".work");
        Files.createDirectories(workDir);
        prepare(model, progress, cancel);
        List<String> names = targets(model);
        List<CompressionReport.TensorError> errors = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            cancel.throwIfCancelled();
            String name = names.get(i);
            Path part = CompressedFiles.partFile(workDir, name);
            if (Files.isRegularFile(part) && SafetensorsFile.open(part).metadata().containsKey("rel_error")) {
                var md = SafetensorsFile.open(part).metadata();
                errors.add(new CompressionReport.TensorError(name, Double.parseDouble(md.get("rel_error")), Double.parseDouble(md.get("rel_act_error"))));
                progress.update(name() + " (resumed)", i + 1, names.size(), name);
                continue;
            }
            var t = model.tensor(name);
            SafetensorsWriter pw = new SafetensorsWriter();
            Outcome o = compressTensor(model, name, t.toFloatArray(), t.rows(), t.cols(), pw, progress, cancel);
            pw.metadata("rel_error", Double.toString(o.relativeError()));
            pw.metadata("rel_act_error", Double.toString(o.relativeActivationError()));
            pw.write(part);
            errors.add(new CompressionReport.TensorError(name, o.relativeError(), o.relativeActivationError()));
            progress.update(name(), i + 1, names.size(), String.format("%s rel.err %.4f act.err %.4f", name, o.relativeError(), o.relativeActivationError()));
        }
        SafetensorsWriter w = CompressedFiles.newWriter(model, name(), parameters(), tokenizer);
        Set<String> compressed = new HashSet<>(names);
        CompressedFiles.addKeptTensors(w, model, compressed);
        for (String name : names) CompressedFiles.copyAll(SafetensorsFile.open(CompressedFiles.partFile(workDir, name)), w);
        w.write(out);
        return new CompressionReport(out, name(), parameters(), estimate(model), errors, (System.nanoTime() - t0) / 1e9);
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
    public static double relativeActivationError(float[] w, double[] q, int rows, int cols, org.ejml.data.DMatrixRMaj h) {
        org.ejml.data.DMatrixRMaj d = new org.ejml.data.DMatrixRMaj(rows, cols), wm = new org.ejml.data.DMatrixRMaj(rows, cols);
        for (int i = 0; i < w.length; i++) { d.data[i] = w[i] - q[i]; wm.data[i] = w[i]; }
        double den = dev.llmcw.compress.linalg.Dense.traceQuad(wm, h);
        return den == 0 ? 0 : Math.sqrt(dev.llmcw.compress.linalg.Dense.traceQuad(d, h) / den);
    }
}
