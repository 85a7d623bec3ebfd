package dev.llmcw.compress.seedlm;

import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.CompressionReport;
import dev.llmcw.compress.KeptTensors;
import dev.llmcw.compress.PartwiseCompression;
import dev.llmcw.compress.SizeEstimate;
import dev.llmcw.compress.quant.CompressedFiles;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.Json;
import dev.llmcw.util.PartsProgress;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * SeedLM as a {@link CompressionMethod}: every linear layer of the transformer blocks (q, k, v, o, gate, up,
 * down) is compressed; embeddings, norms and lm_head are kept in the {@link KeptTensors} type (default BF16,
 * algorithms.md §1, [open] in the paper).
 * Each finished tensor is saved to the work folder at once, keyed by the setting and the tensor's content hash,
 * so an interrupted run resumes without recomputing it.
 */
public final class SeedLmMethod implements PartwiseCompression {
    private final SeedLmConfig cfg;
    private final Path tokenizer;
    private final DType keep;

    public SeedLmMethod(SeedLmConfig cfg, Path tokenizer, DType keep) {
        this.cfg = cfg;
        this.tokenizer = tokenizer;
        this.keep = keep;
    }

    public SeedLmMethod(SeedLmConfig cfg, Path tokenizer) {
        this(cfg, tokenizer, KeptTensors.DEFAULT);
    }

    public SeedLmMethod(SeedLmConfig cfg) {
        this(cfg, null);
    }

    @Override
    public SeedLmMethod withTokenizer(Path tokenizer) {
        return new SeedLmMethod(cfg, tokenizer, keep);
    }

    /** The same setting storing the tensors it does not compress as {@code type} ({@link KeptTensors}). */
    public SeedLmMethod keepingTensorsAs(DType type) {
        return new SeedLmMethod(cfg, tokenizer, type);
    }

    /**
     * Factory from command-line style options: a preset ({@code bits} 4 or 3) or explicit C, P, K (all three);
     * {@code exponentRule} "range" (default) or "printed"; {@code perTensorScale} the documented deviation.
     */
    public static SeedLmMethod fromOptions(
            Integer bits,
            Integer c,
            Integer p,
            Integer k,
            String exponentRule,
            boolean perTensorScale,
            Path tokenizer) {
        return fromOptions(bits, c, p, k, exponentRule, perTensorScale, SeedLmConfig.FLAT, tokenizer);
    }

    /** As above with the block {@code layout}: "flat" (the paper's, default) or "row" (per-row padding). */
    public static SeedLmMethod fromOptions(
            Integer bits,
            Integer c,
            Integer p,
            Integer k,
            String exponentRule,
            boolean perTensorScale,
            String layout,
            Path tokenizer) {
        SeedLmConfig cfg;
        boolean custom = c != null || p != null || k != null;
        if (custom) {
            if (bits != null) throw new IllegalArgumentException("give either --bits or --C/--P/--K, not both");
            if (c == null || p == null || k == null)
                throw new IllegalArgumentException("a custom SeedLM setting needs all of --C, --P and --K");
            cfg = new SeedLmConfig(c, p, k, ExponentRule.RANGE_FILLING, false);
        } else {
            cfg = SeedLmConfig.preset(bits == null ? 4 : bits);
        }
        if (exponentRule != null) cfg = cfg.withRule(ExponentRule.parse(exponentRule));
        return new SeedLmMethod(cfg.withScale(perTensorScale).withFlat(SeedLmConfig.parseLayout(layout)), tokenizer);
    }

    public SeedLmConfig config() {
        return cfg;
    }

    @Override
    public String name() {
        return "seedlm";
    }

    @Override
    public Map<String, String> parameters() {
        var m = new LinkedHashMap<String, String>();
        recordedParams().forEach((key, v) -> m.put(key, String.valueOf(v)));
        return m;
    }

    /** The setting and the kept-tensor policy, as the file's metadata records them. */
    private Map<String, Object> recordedParams() {
        var m = new LinkedHashMap<>(cfg.params());
        m.put(KeptTensors.KEY, KeptTensors.id(keep));
        return m;
    }

    /** Blocks of C weights in a tensor (in the setting's layout): the seed search's unit of work. */
    private long blocks(Tensor w) {
        return SeedLmTensor.blocks(w.rows(), w.cols(), cfg);
    }

    /** Tensors compressed by default: every block linear present in the model. */
    public static List<String> targets(Model model) {
        return WeightNames.blockLinearWeights(model.config().nLayers()).stream()
                .filter(model.tensors()::containsKey)
                .toList();
    }

    @Override
    public SizeEstimate estimate(Model model) {
        List<String> targets = targets(model);
        long compressedParams = 0, compressedBytes = 0, payloadBytes = 0, totalParams = 0, padding = 0;
        for (var e : model.tensors().entrySet()) {
            Tensor t = e.getValue();
            totalParams += t.numel();
            if (targets.contains(e.getKey())) {
                compressedParams += t.numel();
                compressedBytes += SeedLmTensor.fileBytes(t.rows(), t.cols(), cfg);
                payloadBytes += SeedLmTensor.payloadBytes(t.rows(), t.cols(), cfg);
                padding += SeedLmTensor.paddingWeights(t.rows(), t.cols(), cfg);
            }
        }
        long total = compressedBytes + KeptTensors.bytes(model, new HashSet<>(targets), keep);
        double paddingBits = cfg.bitsPerWeight() * padding / Math.max(1, compressedParams);
        return new SizeEstimate(
                compressedParams,
                8.0 * payloadBytes / Math.max(1, compressedParams),
                totalParams,
                total,
                8.0 * total / Math.max(1, totalParams),
                "compressed tensors: per block K-bit seed + 4-bit exponent + P 4-bit codes"
                        + (cfg.perTensorScale() ? ", FP16 scale per tensor" : "")
                        + (cfg.flat()
                                ? " (flat blocks, only a tensor's last block zero-padded)"
                                : " (rows zero-padded to whole blocks)")
                        + String.format(Locale.ROOT, "; padding %,d weights = %.4f bits/weight", padding, paddingBits)
                        + "; whole model: also an 8-byte shape per compressed tensor and kept tensors "
                        + KeptTensors.id(keep)
                        + "; safetensors header excluded");
    }

    @Override
    public CompressionReport compress(
            Model model, Path out, Path workDir, ProgressListener progress, CancellationToken cancel)
            throws IOException {
        long t0 = System.nanoTime();
        if (cancel == null) cancel = CancellationToken.none();
        SizeEstimate est = estimate(model);
        long padding = 0;
        for (String name : targets(model))
            padding += SeedLmTensor.paddingWeights(
                    model.tensor(name).rows(), model.tensor(name).cols(), cfg);
        progress.log(String.format(
                Locale.ROOT,
                "SeedLM %s: %,d weights in %d tensors, %.4f bits/weight (compressed; padding %,d weights, "
                        + "%.4f bits/weight of it), %,d bytes total",
                cfg,
                est.compressedParams(),
                targets(model).size(),
                est.bitsPerCompressedWeight(),
                padding,
                cfg.bitsPerWeight() * padding / Math.max(1, est.compressedParams()),
                est.totalBytes()));
        if (workDir == null) workDir = out.toAbsolutePath().resolveSibling(out.getFileName() + ".work");
        Files.createDirectories(workDir);
        SeedLmEncoder enc = new SeedLmEncoder(cfg);
        // one progress stage over every tensor's blocks: a job's bar, rate and ETA, not one per tensor
        long totalBlocks = 0;
        for (String name : targets(model)) totalBlocks += blocks(model.tensor(name));
        PartsProgress search = new PartsProgress(progress, "seed search", "blocks", totalBlocks);
        // only the part files are kept: the final file copies each from disk while it is written, so the
        // encoded model is never on the heap as a whole (Llama-3.2-1B under -Xmx4g)
        Map<String, Path> done = new TreeMap<>();
        List<CompressionReport.TensorError> errors = new ArrayList<>();
        for (String name : targets(model)) {
            cancel.throwIfCancelled();
            Tensor w = model.tensor(name);
            float[] values = w.toFloatArray();
            SeedLmTensor st = encodeOrResume(name, w, values, workDir, enc, search, progress, cancel);
            double rel = SeedLmEncoder.relativeError(values, st.decode());
            progress.log(String.format(Locale.ROOT, "%s %dx%d relative error %.5f", name, w.rows(), w.cols(), rel));
            errors.add(new CompressionReport.TensorError(name, rel, Double.NaN));
            done.put(name, partFile(workDir, name));
        }
        SafetensorsWriter wr = new SafetensorsWriter();
        CompressedModels.metadata(name(), recordedParams(), model, tokenizer).forEach(wr::metadata);
        KeptTensors.add(wr, model, done.keySet(), keep);
        for (Path part : done.values()) CompressedFiles.copyAll(SafetensorsFile.open(part), wr);
        long fileBytes = wr.write(out);
        progress.log(String.format(
                Locale.ROOT, "wrote %s: %,d bytes (estimate %,d + header)", out, fileBytes, est.totalBytes()));
        return new CompressionReport(out, name(), parameters(), est, errors, (System.nanoTime() - t0) / 1e9);
    }

    /** Where one tensor's encoded part lies in the work folder. */
    private static Path partFile(Path workDir, String name) {
        return workDir.resolve(name + ".seedlm-part.safetensors");
    }

    /** The tensor's part from the work folder when this setting made it, else encoded now and saved there. */
    private SeedLmTensor encodeOrResume(
            String name,
            Tensor w,
            float[] values,
            Path workDir,
            SeedLmEncoder enc,
            PartsProgress search,
            ProgressListener progress,
            CancellationToken cancel)
            throws IOException {
        String key = partKey(name, w);
        Path part = partFile(workDir, name);
        SeedLmTensor st = readPart(part, name, key);
        long blocks = blocks(w);
        if (st == null) {
            st = enc.encode(name, w.rows(), w.cols(), values, search.part(name), cancel);
            search.finished(blocks, name);
            SafetensorsWriter pw =
                    new SafetensorsWriter().metadata("key", key).metadata("params", Json.write(cfg.params()));
            st.writeTo(pw, name);
            pw.write(part);
        } else {
            progress.log("resumed " + name + " from " + part);
            search.resumed(blocks, name);
        }
        return st;
    }

    @Override
    public List<String> partTargets(Model model) {
        return targets(model);
    }

    /** Each tensor's seed search depends on that tensor alone, so any subset can be done apart. */
    @Override
    public void compressParts(
            Model model, Collection<String> tensors, Path workDir, ProgressListener progress, CancellationToken cancel)
            throws IOException {
        if (cancel == null) cancel = CancellationToken.none();
        if (progress == null) progress = ProgressListener.NONE;
        List<String> names = targets(model).stream().filter(tensors::contains).toList();
        if (names.size() != new HashSet<>(tensors).size())
            throw new IllegalArgumentException("SeedLM does not compress all of " + tensors + " (its tensors: "
                    + "the block linears present in the model)");
        Files.createDirectories(workDir);
        SeedLmEncoder enc = new SeedLmEncoder(cfg);
        long totalBlocks = 0;
        for (String name : names) totalBlocks += blocks(model.tensor(name));
        PartsProgress search = new PartsProgress(progress, "seed search", "blocks", totalBlocks);
        for (String name : names) {
            cancel.throwIfCancelled();
            Tensor w = model.tensor(name);
            encodeOrResume(name, w, w.toFloatArray(), workDir, enc, search, progress, cancel);
        }
    }

    /** Identifies a finished tensor: the setting, the shape and the weights' content. */
    private String partKey(String name, Tensor w) {
        byte[] bytes = w.segment().toArray(ValueLayout.JAVA_BYTE);
        return Hashing.sha256(Json.write(cfg.params()) + "|" + name + "|" + w.dtype() + Arrays.toString(w.shape()) + "|"
                + Hashing.sha256(bytes));
    }

    private SeedLmTensor readPart(Path part, String name, String key) {
        if (!Files.isRegularFile(part)) return null;
        try {
            SafetensorsFile f = SafetensorsFile.open(part);
            if (!key.equals(f.metadata().get("key"))) return null;
            return SeedLmTensor.read(f, name, cfg);
        } catch (RuntimeException e) {
            return null; // unreadable or stale: recompute
        }
    }

    /** The Linear a compressed tensor becomes at inference. */
    public static Linear linear(SeedLmTensor t, boolean onTheFly) {
        return SeedLmFormat.linear(t, onTheFly);
    }
}
