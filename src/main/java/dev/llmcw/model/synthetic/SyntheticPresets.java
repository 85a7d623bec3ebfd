package dev.llmcw.model.synthetic;

import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.RopeScaling;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Model shapes for synthetic checkpoints: two real architectures (exact shapes of SmolLM2-135M and
 * Llama-3.2-1B, for size and speed measurements without downloading weights) and two small ones for
 * tests ({@code tiny}) and the GUI demo workspace ({@code demo}).
 */
public final class SyntheticPresets {
    private SyntheticPresets() {}

    private static final Map<String, ModelConfig> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put(
                "smollm2-135m",
                new ModelConfig(
                        "llama",
                        576,
                        1536,
                        30,
                        9,
                        3,
                        64,
                        49152,
                        8192,
                        1e-5f,
                        100000f,
                        RopeLayout.ROTATE_HALF,
                        null,
                        true,
                        false));
        PRESETS.put(
                "llama-3.2-1b",
                new ModelConfig(
                        "llama",
                        2048,
                        8192,
                        16,
                        32,
                        8,
                        64,
                        128256,
                        131072,
                        1e-5f,
                        500000f,
                        RopeLayout.ROTATE_HALF,
                        new RopeScaling(32, 1, 4, 8192),
                        true,
                        false));
        PRESETS.put(
                "tiny",
                new ModelConfig(
                        "llama",
                        64,
                        172,
                        2,
                        8,
                        4,
                        8,
                        512,
                        512,
                        1e-5f,
                        10000f,
                        RopeLayout.ROTATE_HALF,
                        null,
                        false,
                        false));
        PRESETS.put(
                "demo",
                new ModelConfig(
                        "llama",
                        128,
                        344,
                        4,
                        8,
                        4,
                        16,
                        512,
                        1024,
                        1e-5f,
                        10000f,
                        RopeLayout.ROTATE_HALF,
                        null,
                        true,
                        false));
    }

    public static List<String> names() {
        return List.copyOf(PRESETS.keySet());
    }

    public static ModelConfig get(String name) {
        ModelConfig c = PRESETS.get(name);
        if (c == null)
            throw new IllegalArgumentException("unknown preset " + name + "; known: " + String.join(", ", names()));
        return c;
    }

    /**
     * {@code base} with some dimensions replaced (null keeps the base value); head_dim follows
     * dim / heads whenever either changes.
     */
    public static ModelConfig customize(
            ModelConfig base,
            Integer dim,
            Integer hidden,
            Integer layers,
            Integer heads,
            Integer kvHeads,
            Integer vocab) {
        int d = dim != null ? dim : base.dim(), h = heads != null ? heads : base.nHeads();
        int headDim = dim == null && heads == null ? base.headDim() : d / h;
        if ((dim != null || heads != null) && d % h != 0) {
            throw new IllegalArgumentException("dim " + d + " is not a multiple of heads " + h);
        }
        int kv = kvHeads != null ? kvHeads : Math.min(base.nKvHeads(), h);
        return new ModelConfig(
                base.architecture(),
                d,
                hidden != null ? hidden : base.hiddenDim(),
                layers != null ? layers : base.nLayers(),
                h,
                kv,
                headDim,
                vocab != null ? vocab : base.vocabSize(),
                base.maxSeqLen(),
                base.rmsEps(),
                base.ropeTheta(),
                base.ropeLayout(),
                base.ropeScaling(),
                base.tiedEmbeddings(),
                base.attentionBias());
    }
}
