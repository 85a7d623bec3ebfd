package dev.llmcw.compress.caldera.adapt;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.caldera.CalderaFormat;
import dev.llmcw.compress.caldera.CalderaTrainableLinear;
import dev.llmcw.compress.caldera.HadamardScales;
import dev.llmcw.engine.train.LlamaTrainingModel;
import dev.llmcw.engine.train.Parameter;
import dev.llmcw.engine.train.TrainableLinear;
import dev.llmcw.engine.train.TrainableNorms;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A CALDERA file opened for fine-tuning: its matrices with a BF16 adapter become {@link CalderaTrainableLinear}s,
 * and {@link #write} stores the trained adapters (and RMSNorm weights, when trained) back into a copy of the
 * file, every other tensor byte for byte, with the fine-tuning settings added to the method parameters.
 */
public final class AdaptedCalderaModel {
    /** Method-parameter keys the adapted file adds (part of a stored run's identity). */
    public static final String KEY_FINETUNE = "finetune", KEY_FINETUNE_TEXT = "finetune_text";

    /** Keys added when a block-wise stage ran: its settings and the development text. */
    public static final String KEY_BLOCKWISE = "finetune_blockwise", KEY_BLOCKWISE_TEXT = "finetune_dev_text";

    private final Model model;
    private final SafetensorsFile file;
    private final Map<String, CalderaTrainableLinear> layers = new LinkedHashMap<>();
    private LlamaTrainingModel training;

    /** @param model the file loaded as a model (its tokenizer and frozen tensors) */
    public AdaptedCalderaModel(Model model) {
        this.model = model;
        Path path = model.source();
        if (!"caldera".equals(CompressedModels.method(model)))
            throw new IllegalArgumentException(path + ": not a CALDERA model (fine-tuning adapts CALDERA's factors)");
        this.file = SafetensorsFile.open(path);
        long seed = CalderaFormat.seed(file);
        for (String name : WeightNames.blockLinearWeights(model.config().nLayers())) {
            if (!file.has(name + ".caldera.info")) continue;
            var stored = CalderaFormat.read(file, name);
            if (stored.adapter() != null)
                layers.put(
                        name, CalderaTrainableLinear.of(name, stored, seed, HadamardScales.read(file, name, stored)));
        }
        if (layers.isEmpty())
            throw new IllegalArgumentException(path + ": no CALDERA matrix has a 16-bit adapter to train;"
                    + " compress with --ft-rank > 0 (e.g. --ft-rank 8)");
    }

    /** What an adapted file adds to its method parameters: the settings and the training text. */
    public static Map<String, String> parameters(FinetuneSettings settings, TrainingText text) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put(KEY_FINETUNE, settings.describe());
        params.put(KEY_FINETUNE_TEXT, text.describe());
        return params;
    }

    /**
     * As {@link #parameters(FinetuneSettings, TrainingText)} with the block-wise stage's settings and
     * development text when it ran (nothing added when it did not, so such files keep their identity); without
     * the end-to-end stage {@value #KEY_FINETUNE} says so and no training text is recorded.
     */
    public static Map<String, String> parameters(
            FinetuneSettings settings, TrainingText text, BlockwiseSettings blockwise, TrainingText dev) {
        Map<String, String> params = new LinkedHashMap<>();
        if (blockwise.endToEnd()) params.putAll(parameters(settings, text));
        else params.put(KEY_FINETUNE, "block-wise only");
        if (blockwise.enabled()) {
            params.put(KEY_BLOCKWISE, blockwise.describe());
            params.put(KEY_BLOCKWISE_TEXT, dev.describe());
        }
        return params;
    }

    /** Bits the stored SU/SV add (16 per element of every matrix whose scales differ from the seeded signs). */
    public long scaleBits() {
        long bits = 0;
        for (CalderaTrainableLinear l : layers.values()) {
            var s = l.scales();
            if (s != null) bits += s.storedBits();
        }
        return bits;
    }

    /** Weights of the file's CALDERA matrices (rows × input width): the denominator of its bits/weight. */
    public long compressedWeights() {
        long n = 0;
        for (String name : WeightNames.blockLinearWeights(model.config().nLayers())) {
            if (!file.has(name + ".caldera.info")) continue;
            var s = CalderaFormat.read(file, name);
            n += (long) s.rows() * s.inCols();
        }
        return n;
    }

    public Model model() {
        return model;
    }

    /** Adapted matrices by weight name. */
    public Map<String, CalderaTrainableLinear> layers() {
        return layers;
    }

    /** The training model: the adapters trainable, the RMSNorm weights too when asked, the rest frozen. */
    public LlamaTrainingModel trainingModel(boolean trainNorms) {
        return trainingModel(trainNorms, false);
    }

    /**
     * As {@link #trainingModel(boolean)}; with {@code trainScales} the matrices' Hadamard SU/SV are trainable
     * parameters too (for the block-wise stage: {@link #endToEndParameters} leaves them out again).
     */
    public LlamaTrainingModel trainingModel(boolean trainNorms, boolean trainScales) {
        for (CalderaTrainableLinear l : layers.values()) {
            if (trainScales && !l.hasScales())
                throw new IllegalArgumentException(model.source()
                        + ": compressed without Hadamard, so there are no SU/SV to train (drop --blockwise-hadamard)");
            l.trainingScales(trainScales);
        }
        Map<String, TrainableLinear> linears = new LinkedHashMap<>(layers);
        training = new LlamaTrainingModel(model, linears, trainNorms ? TrainableNorms.all() : TrainableNorms.none());
        return training;
    }

    /** Every matrix's SU/SV parameters (empty without Hadamard). */
    public List<Parameter> scaleParameters() {
        List<Parameter> ps = new ArrayList<>();
        for (CalderaTrainableLinear l : layers.values()) ps.addAll(l.scaleParameters());
        return ps;
    }

    /** The trainable RMSNorm weights of the last training model. */
    public List<Parameter> normParameters() {
        return trainingParameters().stream().filter(p -> file.has(p.name())).toList();
    }

    /** SU/SV rounded to the F16 the file stores. */
    public void roundScales() {
        layers.values().forEach(CalderaTrainableLinear::roundScalesToHalf);
    }

    /**
     * The block-wise stage over the last training model (made with the norms and/or scales trainable that
     * {@code settings} names), against the blocks of {@code original}; SU/SV are frozen afterwards.
     */
    public List<BlockwiseStage.BlockResult> tuneBlockwise(
            Model original,
            BlockwiseSettings settings,
            List<int[]> devBlocks,
            long seed,
            Consumer<BlockwiseStage.BlockResult> listener,
            CancellationToken cancel) {
        if (training == null) throw new IllegalStateException("no training model made yet");
        var stage = new BlockwiseStage(
                training,
                new LlamaTrainingModel(original, Map.of()),
                settings,
                scaleParameters(),
                normParameters(),
                this::roundScales,
                seed);
        var results = stage.run(devBlocks, listener, cancel);
        for (CalderaTrainableLinear l : layers.values()) if (l.hasScales()) l.trainingScales(false);
        return results;
    }

    /** What the end-to-end stage trains: the adapters, and the RMSNorm weights when {@code trainNorms}. */
    public List<Parameter> endToEndParameters(boolean trainNorms) {
        Set<Parameter> skip = Collections.newSetFromMap(new IdentityHashMap<>());
        skip.addAll(scaleParameters());
        if (!trainNorms) skip.addAll(normParameters());
        return trainingParameters().stream().filter(p -> !skip.contains(p)).toList();
    }

    /**
     * The model a CALDERA file was compressed from, as its metadata records it, checked against the recorded
     * hash; {@code override} (when not null) is used instead of the recorded path.
     */
    public Path originalModel(Path override) {
        String recorded = file.metadata().get(CompressedFormat.KEY_SOURCE);
        Path p = override != null ? override : recorded == null || recorded.isBlank() ? null : Path.of(recorded);
        if (p == null)
            throw new IllegalArgumentException(model.source()
                    + ": records no source model; pass the original (uncompressed) model with --original");
        if (!Files.exists(p))
            throw new IllegalArgumentException(model.source() + ": its source model " + p
                    + " does not exist; pass the original (uncompressed) model with --original");
        String hash = file.metadata().get(CompressedFormat.KEY_SOURCE_HASH);
        if (hash != null && !hash.isBlank() && !hash.equals(CompressedModels.sourceHash(p)))
            throw new IllegalArgumentException(p + " is not the model " + model.source()
                    + " was compressed from (its content hash differs from the one recorded)");
        return p;
    }

    /** The parameters of the last {@link #trainingModel} (adapters and trained norms). */
    public List<Parameter> trainingParameters() {
        if (training == null) throw new IllegalStateException("no training model made yet");
        return training.parameters();
    }

    /**
     * Writes the adapted model atomically: the adapters rounded to BF16, the trained norm weights (any of
     * {@code trained} named like a tensor of the file) in the file's dtype, all else copied.
     */
    public void write(Path out, List<Parameter> trained, Map<String, String> finetuneParams) throws IOException {
        Map<String, Parameter> norms = new LinkedHashMap<>();
        for (Parameter p : trained) if (file.has(p.name())) norms.put(p.name(), p);
        Map<String, float[]> adapters = new LinkedHashMap<>();
        for (var e : layers.entrySet()) {
            var a = e.getValue().adapter();
            adapters.put(e.getKey() + ".caldera.Lft.values", a.l().values());
            adapters.put(e.getKey() + ".caldera.Rft.values", a.r().values());
        }
        Map<String, float[]> scales = new LinkedHashMap<>(); // SU/SV by tensor name, when no longer the signs
        for (var e : layers.entrySet()) {
            var sc = e.getValue().scales();
            if (sc == null) continue;
            scales.put(e.getKey() + ".caldera." + HadamardScales.SU, sc.su());
            scales.put(e.getKey() + ".caldera." + HadamardScales.SV, sc.sv());
        }
        adapters.putAll(scales);
        var w = new SafetensorsWriter();
        for (var m : file.metadata().entrySet()) {
            if (!m.getKey().equals(CompressedFormat.KEY_PARAMS)) w.metadata(m.getKey(), m.getValue());
        }
        Map<String, Object> params = new LinkedHashMap<>(CompressedModels.params(file));
        params.putAll(finetuneParams);
        w.metadata(CompressedFormat.KEY_PARAMS, Json.write(params));
        for (var e : file.entries().values()) {
            float[] replaced = adapters.containsKey(e.name())
                    ? adapters.get(e.name())
                    : norms.containsKey(e.name()) ? norms.get(e.name()).value() : null;
            if (replaced == null) w.addRaw(e.name(), e.dtype(), e.shape(), file.byteArray(e.name()));
            else w.add(e.name(), SafetensorsFile.floatType(e.dtype()), e.shape(), replaced);
        }
        for (var e : scales.entrySet()) { // F16 tensors a file without stored scales did not have
            if (!file.has(e.getKey())) w.add(e.getKey(), DType.F16, new long[] {e.getValue().length}, e.getValue());
        }
        w.write(out);
    }
}
