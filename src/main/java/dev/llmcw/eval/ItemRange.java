package dev.llmcw.eval;

import java.util.Arrays;

/**
 * Positions {@code [from, to)} within the items a run selects (after --limit / --sample): one shard of a
 * task that is split over cluster jobs. Each shard scores and stores only its items under the run's own
 * item key, so the union of the shards' items is exactly what one whole run stores, and the merged metrics
 * (recomputed from the stored items in item order) equal the whole run's. {@link #ALL} is a whole run.
 */
public record ItemRange(int from, int to) {
    public static final ItemRange ALL = new ItemRange(0, Integer.MAX_VALUE);

    public ItemRange {
        if (from < 0 || to < from)
            throw new IllegalArgumentException("item range needs 0 <= from <= to, got [" + from + ", " + to + ")");
    }

    public boolean isAll() {
        return from == 0 && to == Integer.MAX_VALUE;
    }

    /** The selected indices this range covers (clamped to the selection). */
    public int[] of(int[] selected) {
        if (isAll()) return selected;
        int a = Math.min(from, selected.length), b = Math.min(to, selected.length);
        return Arrays.copyOfRange(selected, a, b);
    }
}
