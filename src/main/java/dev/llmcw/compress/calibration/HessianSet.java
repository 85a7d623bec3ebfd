package dev.llmcw.compress.calibration;

import dev.llmcw.model.WeightNames;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accumulated input statistics of all block linears, one per input group: layers that read the same
 * input share one H — {q,k,v} ("attn_in"), o ("attn_out"), {gate,up} ("mlp_in"), down ("mlp_out").
 */
public final class HessianSet {
    public static final String[] GROUPS = {"attn_in", "attn_out", "mlp_in", "mlp_out"};

    private final Map<String, HessianAccumulator> byGroup; // key "layer.group"
    private final String description;

    public HessianSet(Map<String, HessianAccumulator> byGroup, String description) {
        this.byGroup = new LinkedHashMap<>(byGroup);
        this.description = description;
    }

    /** Group of a block linear weight name ("model.layers.3.mlp.up_proj.weight" → "3.mlp_in"). */
    public static String groupKey(String weightName) {
        String layer = WeightNames.layerOf(weightName);
        if (layer == null) throw new IllegalArgumentException("not a block linear: " + weightName);
        String rest = weightName.substring(WeightNames.LAYER_PREFIX.length() + layer.length() + 1);
        String g;
        if (rest.startsWith("self_attn.q_proj")
                || rest.startsWith("self_attn.k_proj")
                || rest.startsWith("self_attn.v_proj")) g = "attn_in";
        else if (rest.startsWith("self_attn.o_proj")) g = "attn_out";
        else if (rest.startsWith("mlp.gate_proj") || rest.startsWith("mlp.up_proj")) g = "mlp_in";
        else if (rest.startsWith("mlp.down_proj")) g = "mlp_out";
        else throw new IllegalArgumentException("not a block linear: " + weightName);
        return layer + "." + g;
    }

    /** The weight names of {@link WeightNames#BLOCK_LINEARS} in layer {@code i} that belong to a group. */
    public HessianAccumulator forWeight(String weightName) {
        HessianAccumulator a = byGroup.get(groupKey(weightName));
        if (a == null) throw new IllegalArgumentException("no calibration statistics for " + weightName);
        return a;
    }

    /** Whether every group also holds Σ|x| per channel (a cache written before AWQ does not). */
    public boolean hasAbsSums() {
        return byGroup.values().stream().allMatch(HessianAccumulator::hasAbsSum);
    }

    public Map<String, HessianAccumulator> groups() {
        return byGroup;
    }

    /** e.g. "tinystories.txt, 32 × 256 tokens". */
    public String description() {
        return description;
    }
}
