package dev.llmcw.compress.calibration;

import dev.llmcw.model.WeightNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accumulated input statistics of all block linears, one per input group: layers that read the same
 * input share one H — {q,k,v} ("attn_in"), o ("attn_out"), {gate,up} ("mlp_in"), down ("mlp_out").
 * A set is held in memory as a whole, read {@link #lazy lazily} (each group when first asked for, then kept:
 * a cluster shard of a few layers reads only theirs), or {@link #streamed}: one group resident at a time
 * (a Llama-3.2-1B's sums are 10 GB; methods compress layer by layer, so one group is all they need at once).
 */
public final class HessianSet {
    public static final String[] GROUPS = {"attn_in", "attn_out", "mlp_in", "mlp_out"};

    /** Reads one group's statistics (from a {@link HessianCache}). */
    @FunctionalInterface
    public interface GroupLoader {
        HessianAccumulator load(String groupKey) throws IOException;
    }

    private final Map<String, HessianAccumulator> byGroup; // key "layer.group"; read so far (streamed: the last)
    private final String description;
    private final GroupLoader loader; // null: every group is in byGroup
    private final boolean keepOnlyLast; // streamed
    private final List<String> keys;
    private final boolean absSums;
    private final Set<String> read = new LinkedHashSet<>();

    public HessianSet(Map<String, HessianAccumulator> byGroup, String description) {
        this.byGroup = new LinkedHashMap<>(byGroup);
        this.description = description;
        this.loader = null;
        this.keepOnlyLast = false;
        this.keys = List.copyOf(byGroup.keySet());
        this.absSums = byGroup.values().stream().allMatch(HessianAccumulator::hasAbsSum);
        this.read.addAll(keys);
    }

    private HessianSet(
            List<String> keys, boolean absSums, String description, GroupLoader loader, boolean keepOnlyLast) {
        this.byGroup = new LinkedHashMap<>();
        this.description = description;
        this.loader = loader;
        this.keepOnlyLast = keepOnlyLast;
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
        return new HessianSet(keys, absSums, description, loader, true);
    }

    /**
     * Statistics of the groups {@code keys} read by {@code loader} when first asked for and kept ({@link
     * HessianCache#load}): a cluster shard of a few layers reads only their statistics, with the numbers of an
     * eager read.
     */
    public static HessianSet lazy(List<String> keys, boolean absSums, String description, GroupLoader loader) {
        return new HessianSet(keys, absSums, description, loader, false);
    }

    /** Whether groups are read from disk one at a time, one resident ({@link #streamed}). */
    public boolean isStreamed() {
        return loader != null && keepOnlyLast;
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

    /** The statistics of the input group a block linear weight reads. */
    public HessianAccumulator forWeight(String weightName) {
        HessianAccumulator a = group(groupKey(weightName));
        if (a == null) throw new IllegalArgumentException("no calibration statistics for " + weightName);
        return a;
    }

    private synchronized HessianAccumulator group(String key) {
        HessianAccumulator a = byGroup.get(key);
        if (a == null && loader != null && keys.contains(key)) {
            // streamed: drop the resident group before reading the next (two 8192² groups need not fit at once)
            if (keepOnlyLast) byGroup.clear();
            try {
                a = loader.load(key);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            byGroup.put(key, a);
            read.add(key);
        }
        return a;
    }

    /** Whether every group also holds Σ|x| per channel (a cache written before AWQ does not). */
    public boolean hasAbsSums() {
        return absSums;
    }

    /** Every group, in order (a lazy set reads those it has not read yet; a streamed set cannot). */
    public Map<String, HessianAccumulator> groups() {
        if (isStreamed())
            throw new IllegalStateException("streamed calibration statistics are read one group at a time");
        Map<String, HessianAccumulator> all = new LinkedHashMap<>();
        for (String k : keys) all.put(k, group(k));
        return all;
    }

    /** The groups read so far (all of them for a set held in memory). */
    public synchronized Set<String> loadedGroups() {
        return Set.copyOf(read);
    }

    /** e.g. "tinystories.txt, 32 × 256 tokens". */
    public String description() {
        return description;
    }
}
