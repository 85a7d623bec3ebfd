package dev.llmcw.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * --limit as a seeded random subset rather than lm-eval's first N (the first N of a file are often one
 * source or one topic). Each item id gets a 64-bit rank from (seed, id); the N lowest ranks are taken
 * and returned in dataset order, so the subset is stable when items are added or reordered.
 */
public final class ItemSubset {
    private ItemSubset() {}

    /** Indices (ascending) of the chosen items; all indices when limit is 0 or ≥ the count. */
    public static int[] select(List<String> ids, int limit, long seed) {
        int n = ids.size();
        if (limit <= 0 || limit >= n) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        List<Integer> idx = new ArrayList<>(n);
        long[] rank = new long[n];
        for (int i = 0; i < n; i++) {
            idx.add(i);
            rank[i] = mix(seed ^ fnv1a(ids.get(i)));
        }
        idx.sort(Comparator.<Integer>comparingLong(i -> rank[i]).thenComparingInt(i -> i));
        int[] out = idx.subList(0, limit).stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(out);
        return out;
    }

    static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64 finaliser. */
    static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
