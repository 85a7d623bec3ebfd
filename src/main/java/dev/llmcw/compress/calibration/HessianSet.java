package dev.llmcw.compress.calibration;

import dev.llmcw.model.WeightNames;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Accumulated input statistics of all block linears, one per input group: layers that read the same
 * input share one H — {q,k,v} ("attn_in"), o ("attn_out"), {gate,up} ("mlp_in"), down ("mlp_out").
 */
public final class HessianSet {
    public static final String[] GROUPS = {"attn_in", "attn_out", "mlp_in", "mlp_out"};

    private final Map<String, HessianAccumulator> byGroup; // key "layer.group"; for a lazy set, those read so far
    private final String description;
    /** Every group's key, in order. */
    private final List<String> keys;
    /** Reads one group (a set from the cache); null when every group is in {@link #byGroup}. */
    private final Function<String, HessianAccumulator> loader;
    /** Whether every group holds Σ|x| (a lazy set knows without reading the groups). */
    private final boolean absSums;

    public HessianSet(Map<String, HessianAccumulator> byGroup, String description) {
        this.byGroup = new LinkedHashMap<>(byGroup);
        this.description = description;
        this.keys = List.copyOf(byGroup.keySet());
        this.loader = null;
        this.absSums = byGroup.values().stream().allMatch(HessianAccumulator::hasAbsSum);
    }

    /**
     * A set whose groups are read when first asked for ({@link HessianCache#load}): a cluster shard of a few
     * layers reads only their statistics. The numbers are those of the eager set.
     */
    HessianSet(List<String> keys, Function<String, HessianAccumulator> loader, boolean absSums, String description) {
        this.byGroup = new LinkedHashMap<>();
        this.description = description;
        this.keys = List.copyOf(keys);
        this.loader = loader;
        this.absSums = absSums;
    }

    private synchronized HessianAccumulator group(String key) {
        HessianAccumulator a = byGroup.get(key);
        if (a == null && loader != null && keys.contains(key)) {
            a = loader.apply(key);
            byGroup.put(key, a);
        }
        return a;
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
        HessianAccumulator a = group(groupKey(weightName));
        if (a == null) throw new IllegalArgumentException("no calibration statistics for " + weightName);
        return a;
    }

    /** Whether every group also holds Σ|x| per channel (a cache written before AWQ does not). */
    public boolean hasAbsSums() {
        return absSums;
    }

    /** Every group, in order (a lazy set reads those it has not read yet). */
    public Map<String, HessianAccumulator> groups() {
        Map<String, HessianAccumulator> all = new LinkedHashMap<>();
        for (String k : keys) all.put(k, group(k));
        return all;
    }

    /** The groups read so far (all of them unless the set came lazily from the cache). */
    public synchronized Set<String> loadedGroups() {
        return Set.copyOf(byGroup.keySet());
    }

    /** e.g. "tinystories.txt, 32 × 256 tokens". */
    public String description() {
        return description;
    }
}
