package dev.llmcw.compress.calibration;

import dev.llmcw.model.WeightNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accumulated input statistics of all block linears, one per input group: layers that read the same
 * input share one H — {q,k,v} ("attn_in"), o ("attn_out"), {gate,up} ("mlp_in"), down ("mlp_out").
 * A set is either held in memory as a whole or {@link #streamed}: read one group at a time from disk
 * (a Llama-3.2-1B's sums are 10 GB; methods compress layer by layer, so one group is all they need at once).
 */
public final class HessianSet {
    public static final String[] GROUPS = {"attn_in", "attn_out", "mlp_in", "mlp_out"};

    /** Reads one group's statistics (from a {@link HessianCache}). */
    @FunctionalInterface
    public interface GroupLoader {
        HessianAccumulator load(String groupKey) throws IOException;
    }

    private final Map<String, HessianAccumulator> byGroup; // key "layer.group"; streamed: the resident group only
    private final String description;
    private final GroupLoader loader; // null: every group is in byGroup
    private final List<String> keys;
    private final boolean absSums;

    public HessianSet(Map<String, HessianAccumulator> byGroup, String description) {
        this.byGroup = new LinkedHashMap<>(byGroup);
        this.description = description;
        this.loader = null;
        this.keys = List.copyOf(byGroup.keySet());
        this.absSums = false;
    }

    private HessianSet(List<String> keys, boolean absSums, String description, GroupLoader loader) {
        this.byGroup = new LinkedHashMap<>();
        this.description = description;
        this.loader = loader;
        this.keys = List.copyOf(keys);
        this.absSums = absSums;
    }

    /**
     * Statistics of the groups {@code keys} read by {@code loader} when first asked for; only the group
     * asked for last stays in memory.
     *
     * @param absSums whether every group holds Σ|x| per channel
     */
    public static HessianSet streamed(List<String> keys, boolean absSums, String description, GroupLoader loader) {
        return new HessianSet(keys, absSums, description, loader);
    }

    /** Whether groups are read from disk one at a time ({@link #streamed}). */
    public boolean isStreamed() {
        return loader != null;
    }

    /** Keys of every group ("3.mlp_in"), layer by layer. */
    public List<String> groupKeys() {
        return keys;
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
    public synchronized HessianAccumulator forWeight(String weightName) {
        String key = groupKey(weightName);
        HessianAccumulator a = byGroup.get(key);
        if (a == null && loader != null && keys.contains(key)) {
            byGroup.clear(); // before reading the next one: two groups of 8192² doubles need not fit at once
            try {
                a = loader.load(key);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            byGroup.put(key, a);
        }
        if (a == null) throw new IllegalArgumentException("no calibration statistics for " + weightName);
        return a;
    }

    /** Whether every group also holds Σ|x| per channel (a cache written before AWQ does not). */
    public boolean hasAbsSums() {
        return loader != null ? absSums : byGroup.values().stream().allMatch(HessianAccumulator::hasAbsSum);
    }

    /** Every group's statistics; a {@link #streamed} set has them on disk only (use {@link #forWeight}). */
    public Map<String, HessianAccumulator> groups() {
        if (loader != null)
            throw new IllegalStateException("streamed calibration statistics are read one group at a time");
        return byGroup;
    }

    /** e.g. "tinystories.txt, 32 × 256 tokens". */
    public String description() {
        return description;
    }
}
