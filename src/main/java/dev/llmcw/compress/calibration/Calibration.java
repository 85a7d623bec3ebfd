package dev.llmcw.compress.calibration;

import dev.llmcw.engine.DenseLinear;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.model.Model;
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
 * layer by layer (each layer sees the original model's activations).
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
        var c = model.config();
        Map<String, HessianAccumulator> acc = new HashMap<>();
        Map<String, Linear> linears = new HashMap<>(model.linears());
        for (String name : WeightNames.blockLinearWeights(c.nLayers())) {
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
                c,
                model.tensors(),
                linears,
                model.tokenizer(),
                model.source(),
                model.format(),
                model.label(),
                model.metadata());
        return Map.entry(wrapped, acc);
    }

    public static HessianSet capture(
            Model model,
            List<int[]> sequences,
            Runner runner,
            String description,
            ProgressListener progress,
            CancellationToken cancel) {
        var inst = instrument(model);
        if (progress == null) progress = ProgressListener.NONE;
        for (int s = 0; s < sequences.size(); s++) {
            if (cancel != null) cancel.throwIfCancelled();
            runner.run(inst.getKey(), sequences.get(s));
            progress.update("calibration", s + 1, sequences.size(), description);
        }
        // Stable order: layer, then group.
        Map<String, HessianAccumulator> ordered = new LinkedHashMap<>();
        for (int i = 0; i < model.config().nLayers(); i++) {
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
