package dev.llmcw.engine;

import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.synthetic.SyntheticPresets;
import dev.llmcw.tensor.BF16Tensor;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Half;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.Parallel;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * In-memory models with random weights at the exact shapes of real checkpoints, for speed and memory
 * measurements only (their outputs are meaningless; the label says SYNTHETIC).
 */
public final class SyntheticModels {
    private SyntheticModels() {}

    /** Names accepted by {@link #config}. */
    public static final List<String> NAMES = List.of("stories260K", "smollm2-135m", "llama-3.2-1b");

    /** The architecture of a known model, as in its config.json / llama2.c header. */
    public static ModelConfig config(String name) {
        return switch (name) {
            case "stories260K" ->
                new ModelConfig(
                        "llama",
                        64,
                        172,
                        5,
                        8,
                        4,
                        8,
                        512,
                        512,
                        1e-5f,
                        10000f,
                        RopeLayout.INTERLEAVED,
                        null,
                        true,
                        false);
            // the real checkpoints' shapes are written once, in the synthetic presets
            case "smollm2-135m", "llama-3.2-1b" -> SyntheticPresets.get(name);
            default -> throw new IllegalArgumentException("unknown model shape " + name + "; known: " + NAMES);
        };
    }

    /** Random weights (uniform, scaled by 1/sqrt(fan-in)) in F32 or BF16; norms are ones. */
    public static Model build(String name, DType dtype, long seed) {
        return build(config(name), name, dtype, seed);
    }

    /** As {@link #build(String, DType, long)} for any architecture (tests use odd head sizes and groupings). */
    public static Model build(ModelConfig c, String name, DType dtype, long seed) {
        if (dtype != DType.F32 && dtype != DType.BF16)
            throw new IllegalArgumentException("synthetic models are F32 or BF16, not " + dtype);
        Map<String, Tensor> t = new HashMap<>();
        SplittableRandom rnd = new SplittableRandom(seed);
        t.put(WeightNames.EMBED, matrix(c.vocabSize(), c.dim(), dtype, rnd.split()));
        for (int i = 0; i < c.nLayers(); i++) {
            t.put(WeightNames.attnNorm(i), ones(c.dim()));
            t.put(WeightNames.ffnNorm(i), ones(c.dim()));
            t.put(WeightNames.q(i), matrix(c.qDim(), c.dim(), dtype, rnd.split()));
            t.put(WeightNames.k(i), matrix(c.kvDim(), c.dim(), dtype, rnd.split()));
            t.put(WeightNames.v(i), matrix(c.kvDim(), c.dim(), dtype, rnd.split()));
            t.put(WeightNames.o(i), matrix(c.dim(), c.qDim(), dtype, rnd.split()));
            t.put(WeightNames.gate(i), matrix(c.hiddenDim(), c.dim(), dtype, rnd.split()));
            t.put(WeightNames.up(i), matrix(c.hiddenDim(), c.dim(), dtype, rnd.split()));
            t.put(WeightNames.down(i), matrix(c.dim(), c.hiddenDim(), dtype, rnd.split()));
        }
        t.put(WeightNames.FINAL_NORM, ones(c.dim()));
        if (!c.tiedEmbeddings()) t.put(WeightNames.LM_HEAD, matrix(c.vocabSize(), c.dim(), dtype, rnd.split()));
        return new Model(
                c,
                t,
                Map.of(),
                null,
                null,
                "synthetic",
                "SYNTHETIC " + name + " " + dtype,
                Map.of("synthetic", "true"));
    }

    private static Tensor ones(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return F32Tensor.of(a, n);
    }

    private static Tensor matrix(int rows, int cols, DType dtype, SplittableRandom rnd) {
        int n = Math.multiplyExact(rows, cols);
        float bound = (float) Math.sqrt(3.0 / cols);
        // rows filled in parallel, each chunk from its own split generator (deterministic per seed)
        int chunks = Math.max(1, Math.min(64, n / (1 << 20)));
        SplittableRandom[] gens = new SplittableRandom[chunks];
        for (int i = 0; i < chunks; i++) gens[i] = rnd.split();
        long per = ((long) n + chunks - 1) / chunks;
        if (dtype == DType.F32) {
            float[] a = new float[n];
            Parallel.forRange(0, chunks, 1, ch -> {
                int from = (int) (ch * per), to = (int) Math.min(n, from + per);
                for (int i = from; i < to; i++) a[i] = (float) ((gens[ch].nextDouble() * 2 - 1) * bound);
            });
            return F32Tensor.of(a, rows, cols);
        }
        short[] a = new short[n];
        Parallel.forRange(0, chunks, 1, ch -> {
            int from = (int) (ch * per), to = (int) Math.min(n, from + per);
            for (int i = from; i < to; i++) a[i] = Half.floatToBf16((float) ((gens[ch].nextDouble() * 2 - 1) * bound));
        });
        return new BF16Tensor(new long[] {rows, cols}, MemorySegment.ofArray(a));
    }
}
