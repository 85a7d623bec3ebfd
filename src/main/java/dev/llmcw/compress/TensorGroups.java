package dev.llmcw.compress;

import dev.llmcw.model.WeightNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Splits a method's tensors into shards by name alone: whole layers (a layer's tensors stay together, since
 * AWQ searches one scale for the linears that share an input and CALDERA prepares one H per input group),
 * consecutive layers per shard, as even as the layer count allows. A tensor outside the blocks is its own
 * "layer". The same names give the same shards in every process.
 */
public final class TensorGroups {
    private TensorGroups() {}

    /** {@code targets} in at most {@code shards} groups (fewer when there are fewer layers), in order. */
    public static List<List<String>> split(List<String> targets, int shards) {
        if (shards < 1) throw new IllegalArgumentException("the number of compression shards must be ≥ 1: " + shards);
        Map<String, List<String>> layers = new LinkedHashMap<>();
        for (String t : targets)
            layers.computeIfAbsent(Objects.requireNonNullElse(WeightNames.layerOf(t), t), k -> new ArrayList<>())
                    .add(t);
        List<List<String>> byLayer = new ArrayList<>(layers.values());
        int n = Math.min(shards, byLayer.size());
        List<List<String>> out = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            // layers [s·L/n, (s+1)·L/n): sizes differ by at most one layer
            List<String> group = new ArrayList<>();
            for (int l = s * byLayer.size() / n; l < (s + 1) * byLayer.size() / n; l++) group.addAll(byLayer.get(l));
            out.add(List.copyOf(group));
        }
        return out;
    }

    /** Shard {@code index} of {@code count} (see {@link #split}); empty when there are fewer layers than shards. */
    public static List<String> shard(List<String> targets, int index, int count) {
        List<List<String>> all = split(targets, count);
        return index < all.size() ? all.get(index) : List.of();
    }
}
