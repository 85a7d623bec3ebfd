package dev.llmcw.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Canonical tensor names (Hugging Face Llama convention). Every loader maps its format's names onto
 * these, so the engine and the compression methods see one naming scheme.
 */
public final class WeightNames {
    private WeightNames() {}

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    /** The seven linear projections of a transformer block, in llama2.c order of appearance. */
    public static final List<String> BLOCK_LINEARS = List.of(
            "self_attn.q_proj",
            "self_attn.k_proj",
            "self_attn.v_proj",
            "self_attn.o_proj",
            "mlp.gate_proj",
            "mlp.up_proj",
            "mlp.down_proj");

    /** Prefix of every tensor of a transformer block: {@code model.layers.<i>.}. */
    public static final String LAYER_PREFIX = "model.layers.";

    public static String layer(int i, String suffix) {
        return LAYER_PREFIX + i + "." + suffix;
    }

    /** The layer number of a block tensor's name ("model.layers.12.mlp.up_proj.weight" → "12"), or null for other names. */
    public static String layerOf(String name) {
        if (!name.startsWith(LAYER_PREFIX)) return null;
        int dot = name.indexOf('.', LAYER_PREFIX.length());
        return dot < 0 ? null : name.substring(LAYER_PREFIX.length(), dot);
    }

    public static String attnNorm(int i) {
        return layer(i, "input_layernorm.weight");
    }

    public static String ffnNorm(int i) {
        return layer(i, "post_attention_layernorm.weight");
    }

    public static String q(int i) {
        return layer(i, "self_attn.q_proj.weight");
    }

    public static String k(int i) {
        return layer(i, "self_attn.k_proj.weight");
    }

    public static String v(int i) {
        return layer(i, "self_attn.v_proj.weight");
    }

    public static String o(int i) {
        return layer(i, "self_attn.o_proj.weight");
    }

    public static String qBias(int i) {
        return layer(i, "self_attn.q_proj.bias");
    }

    public static String kBias(int i) {
        return layer(i, "self_attn.k_proj.bias");
    }

    public static String vBias(int i) {
        return layer(i, "self_attn.v_proj.bias");
    }

    public static String gate(int i) {
        return layer(i, "mlp.gate_proj.weight");
    }

    public static String up(int i) {
        return layer(i, "mlp.up_proj.weight");
    }

    public static String down(int i) {
        return layer(i, "mlp.down_proj.weight");
    }

    /** All linear weight names of all blocks (the default targets of compression). */
    public static List<String> blockLinearWeights(int nLayers) {
        var out = new ArrayList<String>();
        for (int i = 0; i < nLayers; i++) {
            for (String s : BLOCK_LINEARS) out.add(layer(i, s + ".weight"));
        }
        return out;
    }
}
