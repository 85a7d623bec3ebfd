package dev.llmcw.tokenizer;

import java.util.PriorityQueue;

/**
 * The merge loop shared by both BPE flavours: symbols form a linked list, candidate pairs wait in a
 * priority queue ordered by (priority, left position), and stale candidates (whose symbols changed
 * since they were queued) are skipped when popped. This is llama.cpp's llm_tokenizer_spm scheme and
 * gives the same result as repeatedly merging the best pair, leftmost first, in O(n log n).
 */
final class BpeMerge {
    private BpeMerge() {}

    /** Decides whether two adjacent tokens merge. */
    interface Rule {
        /**
         * Returns the merged token id and writes its priority (lower merges first) to {@code prio[0]},
         * or returns -1 if the pair does not merge.
         */
        int merge(int left, int right, double[] prio);
    }

    private record Candidate(double prio, int left, int right, int leftId, int rightId) {}

    /** Merges {@code ids} (modified in place semantics: a new array is returned). Ids of -1 never merge. */
    static int[] run(int[] ids, Rule rule) {
        int n = ids.length;
        if (n < 2) return ids;
        int[] sym = ids.clone();
        int[] prev = new int[n], next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        var queue = new PriorityQueue<Candidate>(
                (a, b) -> a.prio != b.prio ? Double.compare(a.prio, b.prio) : Integer.compare(a.left, b.left));
        double[] prio = new double[1];
        for (int i = 0; i + 1 < n; i++) offer(queue, rule, sym, i, i + 1, prio);
        while (!queue.isEmpty()) {
            Candidate c = queue.poll();
            // Stale if either side was merged away or changed since the candidate was queued.
            if (sym[c.left] != c.leftId || sym[c.right] != c.rightId || next[c.left] != c.right) continue;
            int merged = rule.merge(c.leftId, c.rightId, prio);
            sym[c.left] = merged;
            sym[c.right] = -2; // removed
            int after = next[c.right];
            next[c.left] = after;
            if (after >= 0) prev[after] = c.left;
            if (prev[c.left] >= 0) offer(queue, rule, sym, prev[c.left], c.left, prio);
            if (after >= 0) offer(queue, rule, sym, c.left, after, prio);
        }
        int count = 0;
        for (int i = 0; i >= 0; i = next[i]) count++;
        int[] out = new int[count];
        int k = 0;
        for (int i = 0; i >= 0; i = next[i]) out[k++] = sym[i];
        return out;
    }

    private static void offer(PriorityQueue<Candidate> q, Rule rule, int[] sym, int l, int r, double[] prio) {
        if (sym[l] < 0 || sym[r] < 0) return;
        int m = rule.merge(sym[l], sym[r], prio);
        if (m >= 0) q.add(new Candidate(prio[0], l, r, sym[l], sym[r]));
    }
}
