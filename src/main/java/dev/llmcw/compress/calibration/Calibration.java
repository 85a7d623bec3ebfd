package dev.llmcw.compress.calibration;

import dev.llmcw.engine.DenseLinear;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.WeightNames;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tokenizer.Tokenizer;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the uncompressed model over calibration sequences and accumulates H = Σ x·xᵀ of the inputs of
 * every block linear. Every linear of the model is wrapped by a {@link CapturingLinear}, so the engine
 * runs unchanged; a single pass over the original model yields the inputs the official code gathers
 * layer by layer (each layer sees the original model's activations). When the sums of every layer do not
 * fit in the heap (Llama-3.2-1B: 16 × 637 MB), {@link CalibrationSpec} captures a few layers per pass
 * ({@link #capture(Model, List, Runner, String, ProgressListener, CancellationToken, int, int)}) and streams
 * them to disk.
 */
public final class Calibration {
    private Calibration() {}

    /** Runs one token sequence through a model (the engine in production, a stub in tests). */
    @FunctionalInterface
    public interface Runner {
        void run(Model model, int[] tokens);
    }

    /** The engine's forward pass without logits, every layer over every token. */
    public static final Runner ENGINE = (model, tokens) -> {
        LlamaEngine e = new LlamaEngine(model, Math.max(tokens.length, 1));
        e.forwardEveryLayer(e.newCache(tokens.length), tokens, 0, tokens.length);
    };

    /** Wraps every block linear of {@code model} with a capturing decorator; returns the model and the accumulators. */
    public static Map.Entry<Model, Map<String, HessianAccumulator>> instrument(Model model) {
        return instrument(model, 0, model.config().nLayers());
    }

    /**
     * Wraps the block linears of layers [from, to) with capturing decorators, on a model cut after layer
     * {@code to - 1}: a layer's input depends only on the layers below it, so the cut model computes the same
     * inputs as the whole one while a pass costs only to/nLayers of a full forward pass.
     */
    public static Map.Entry<Model, Map<String, HessianAccumulator>> instrument(Model model, int from, int to) {
        var c = model.config();
        if (from < 0 || from >= to || to > c.nLayers())
            throw new IllegalArgumentException(
                    "calibration layers [" + from + ", " + to + ") outside the model's " + c.nLayers() + " layers");
        Map<String, HessianAccumulator> acc = new HashMap<>();
        Map<String, Linear> linears = new HashMap<>(model.linears());
        for (String name : WeightNames.blockLinearWeights(to)) {
            if (Integer.parseInt(WeightNames.layerOf(name)) < from) continue;
            Linear base = model.linears().get(name);
            if (base == null) base = new DenseLinear(model.tensor(name));
            String key = HessianSet.groupKey(name);
            // Layers of a group read the same input: capture it once (at the group's first linear).
            if (acc.containsKey(key)) continue;
            HessianAccumulator a = new HessianAccumulator(base.inFeatures());
            acc.put(key, a);
            linears.put(name, new CapturingLinear(base, a));
        }
        Model wrapped = new Model(
                to == c.nLayers() ? c : withLayers(c, to),
                model.tensors(),
                linears,
                model.tokenizer(),
                model.source(),
                model.format(),
                model.label(),
                model.metadata());
        return Map.entry(wrapped, acc);
    }

    private static ModelConfig withLayers(ModelConfig c, int layers) {
        return new ModelConfig(
                c.architecture(),
                c.dim(),
                c.hiddenDim(),
                layers,
                c.nHeads(),
                c.nKvHeads(),
                c.headDim(),
                c.vocabSize(),
                c.maxSeqLen(),
                c.rmsEps(),
                c.ropeTheta(),
                c.ropeLayout(),
                c.ropeScaling(),
                c.tiedEmbeddings(),
                c.attentionBias());
    }

    /** Bytes the Σ x·xᵀ sums of layers [from, to) take: one n×n double matrix per input group. */
    public static long hessianBytes(ModelConfig c, int from, int to) {
        long perLayer =
                8L * (2L * c.dim() * c.dim() + (long) c.qDim() * c.qDim() + (long) c.hiddenDim() * c.hiddenDim());
        return perLayer * (to - from);
    }

    /**
     * How many bytes of sums one calibration pass may hold: a quarter of the heap, leaving the rest to the
     * method, which makes a few n×n copies of the group it works on (mean, inverse, factors). The system
     * property {@value #BUDGET_PROPERTY} (bytes) sets it instead, so tests can take the streamed path on a
     * small model.
     */
    public static long memoryBudget() {
        return Long.getLong(BUDGET_PROPERTY, Runtime.getRuntime().maxMemory() / 4);
    }

    public static final String BUDGET_PROPERTY = "workbench.calibration.budget";

    /** Layers one pass captures so that their sums fit in {@code budget} bytes (at least one). */
    public static int layersPerPass(ModelConfig c, long budget) {
        return (int) Math.max(1, Math.min(c.nLayers(), budget / hessianBytes(c, 0, 1)));
    }

    public static HessianSet capture(
            Model model,
            List<int[]> sequences,
            Runner runner,
            String description,
            ProgressListener progress,
            CancellationToken cancel) {
        return capture(
                model,
                sequences,
                runner,
                description,
                progress,
                cancel,
                0,
                model.config().nLayers());
    }

    /**
     * The statistics of layers [from, to) only, from a pass over the model cut after layer {@code to - 1}
     * ({@link #instrument(Model, int, int)}): each sum gets the same vectors in the same order as in a pass
     * over every layer, so the sums are bit for bit those of {@link #capture(Model, List, Runner, String,
     * ProgressListener, CancellationToken)}.
     */
    public static HessianSet capture(
            Model model,
            List<int[]> sequences,
            Runner runner,
            String description,
            ProgressListener progress,
            CancellationToken cancel,
            int from,
            int to) {
        var inst = instrument(model, from, to);
        if (progress == null) progress = ProgressListener.NONE;
        for (int s = 0; s < sequences.size(); s++) {
            if (cancel != null) cancel.throwIfCancelled();
            runner.run(inst.getKey(), sequences.get(s));
            progress.update("calibration", s + 1, sequences.size(), description);
        }
        // Stable order: layer, then group.
        Map<String, HessianAccumulator> ordered = new LinkedHashMap<>();
        for (int i = from; i < to; i++) {
            for (String g : HessianSet.GROUPS)
                ordered.put(i + "." + g, inst.getValue().get(i + "." + g));
        }
        return new HessianSet(ordered, description);
    }

    /**
     * Tokenises a calibration text file (without BOS) and cuts {@code count} consecutive sequences of
     * {@code length} tokens from it, each prefixed by BOS if the tokenizer has one (so sequence length
     * is {@code length} including BOS).
     */
    public static List<int[]> sequences(Path file, Tokenizer tok, int count, int length) throws IOException {
        if (count <= 0 || length < 2)
            throw new IllegalArgumentException(
                    "calibration needs ≥ 1 sequence of ≥ 2 tokens, got " + count + " × " + length);
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": calibration file not found");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int[] ids = tok.encode(text);
        int bos = tok.bosId();
        int body = bos >= 0 ? length - 1 : length;
        if ((long) count * body > ids.length) {
            throw new IllegalArgumentException(file + ": has " + ids.length + " tokens, " + count + " sequences of "
                    + length + " need " + (long) count * body + " (use fewer or shorter sequences)");
        }
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            int[] seq = new int[length];
            int p = 0;
            if (bos >= 0) seq[p++] = bos;
            System.arraycopy(ids, s * body, seq, p, body);
            out.add(seq);
        }
        return out;
    }
}
