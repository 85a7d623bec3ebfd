package dev.llmcw.eval;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Which items of a split a run evaluates: {@link #first} is lm-eval's --limit (the first N documents);
 * {@link #sample} is the workbench's --sample, a seeded random subset (the first N of a file are often
 * one source or one topic). For a sample each item id gets a 64-bit rank from (seed, id); the N lowest
 * ranks are taken and returned in dataset order, so the subset is stable when items are added or reordered.
 */
public final class ItemSubset {
    /** The sentence for a run that asks for both. */
    public static final String BOTH_GIVEN =
            "--limit (the first N items) and --sample (a random N) cannot be combined; give one of them";

    private ItemSubset() {}

    /** 0 … min(limit, n) − 1; all n when limit is 0. */
    public static int[] first(int n, int limit) {
        return IntStream.range(0, limit <= 0 ? n : Math.min(limit, n)).toArray();
    }

    /** Indices (ascending) of a seeded random subset of {@code size} items; all indices when size is 0 or ≥ the count. */
    public static int[] sample(List<String> ids, int size, long seed) {
        int n = ids.size();
        if (size <= 0 || size >= n) return first(n, 0);
        List<Integer> idx = new ArrayList<>(n);
        long[] rank = new long[n];
        for (int i = 0; i < n; i++) {
            idx.add(i);
            rank[i] = mix(seed ^ fnv1a(ids.get(i)));
        }
        idx.sort(Comparator.<Integer>comparingLong(i -> rank[i]).thenComparingInt(i -> i));
        int[] out = idx.subList(0, size).stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(out);
        return out;
    }

    /**
     * Reads a --limit / --sample value given as text (CLI, suites, GUI); null or blank is 0 (all items).
     *
     * @param what the option's name for the message ("--limit", "options.sample in suite.yaml")
     */
    public static int parseCount(String what, String text) {
        if (text == null || text.isBlank()) return 0;
        int n;
        try {
            n = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number of items, not \"" + text.strip() + "\"");
        }
        if (n < 0)
            throw new IllegalArgumentException(what + " must be 0 (all items) or a positive number of items, not " + n);
        return n;
    }

    static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
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
