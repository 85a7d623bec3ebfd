package dev.llmcw.model.gguf;

import dev.llmcw.model.WeightNames;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Mapping between llama.cpp's GGUF tensor names and the canonical ({@link WeightNames}) ones. */
public final class GgufNames {
    private GgufNames() {}

    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d+)\\.(.+)");
    private static final Pattern CANONICAL_BLOCK = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)");

    private static final Map<String, String> GLOBAL = Map.of(
            "token_embd.weight", WeightNames.EMBED,
            "output_norm.weight", WeightNames.FINAL_NORM,
            "output.weight", WeightNames.LM_HEAD);

    /** GGUF per-block suffix → canonical per-layer suffix. */
    private static final Map<String, String> BLOCK_SUFFIX = Map.ofEntries(
            Map.entry("attn_norm.weight", "input_layernorm.weight"),
            Map.entry("attn_q.weight", "self_attn.q_proj.weight"),
            Map.entry("attn_k.weight", "self_attn.k_proj.weight"),
            Map.entry("attn_v.weight", "self_attn.v_proj.weight"),
            Map.entry("attn_output.weight", "self_attn.o_proj.weight"),
            Map.entry("attn_q.bias", "self_attn.q_proj.bias"),
            Map.entry("attn_k.bias", "self_attn.k_proj.bias"),
            Map.entry("attn_v.bias", "self_attn.v_proj.bias"),
            Map.entry("ffn_norm.weight", "post_attention_layernorm.weight"),
            Map.entry("ffn_gate.weight", "mlp.gate_proj.weight"),
            Map.entry("ffn_up.weight", "mlp.up_proj.weight"),
            Map.entry("ffn_down.weight", "mlp.down_proj.weight"));

    private static final Map<String, String> CANONICAL_SUFFIX = invert(BLOCK_SUFFIX);
    private static final Map<String, String> CANONICAL_GLOBAL = invert(GLOBAL);

    /** Canonical name of a GGUF tensor, or null if the workbench does not use it. */
    public static String toCanonical(String gguf) {
        String g = GLOBAL.get(gguf);
        if (g != null) return g;
        Matcher m = BLOCK.matcher(gguf);
        if (m.matches()) {
            String s = BLOCK_SUFFIX.get(m.group(2));
            if (s != null) return WeightNames.layer(Integer.parseInt(m.group(1)), s);
        }
        return null;
    }

    /** GGUF name of a canonical tensor, or null if GGUF has no name for it. */
    public static String toGguf(String canonical) {
        String g = CANONICAL_GLOBAL.get(canonical);
        if (g != null) return g;
        Matcher m = CANONICAL_BLOCK.matcher(canonical);
        if (m.matches()) {
            String s = CANONICAL_SUFFIX.get(m.group(2));
            if (s != null) return "blk." + m.group(1) + "." + s;
        }
        return null;
    }

    private static Map<String, String> invert(Map<String, String> m) {
        var out = new HashMap<String, String>();
        m.forEach((k, v) -> out.put(v, k));
        return Map.copyOf(out);
    }
}
