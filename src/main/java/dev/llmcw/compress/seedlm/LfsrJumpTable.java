package dev.llmcw.compress.seedlm;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For every K-bit register state, the next {@code n} (≤ 32) feedback bits the LFSR will produce: bit i of
 * {@code bits[state]} is the bit shifted into position K−1 at step i + 1. It is the LFSR's own output sequence
 * indexed by state (2^K ints: 256 KB for K = 16, shared by every tensor, independent of the model), i.e. a jump
 * table for the register, not decoded weights.
 *
 * <p>Why: with bit j of the sequence a = (state bits, then the feedback bits), the state after j steps is
 * a_j .. a_{j+K−1}. So window = state | bits[state] << K holds a_0 .. a_31 and the state after j steps is
 * (window >>> j) & (2^K − 1) for j ≤ 32 − K, and (bits[state] >>> (j − K)) & (2^K − 1) for j ≥ K: every state
 * of U(seed) is two integer operations away instead of a chain of j LFSR steps.
 */
final class LfsrJumpTable {
    private static final Map<Long, LfsrJumpTable> CACHE = new ConcurrentHashMap<>();

    final int k, n;
    final int[] bits;

    static LfsrJumpTable of(int k, int n) {
        return CACHE.computeIfAbsent((long) k << 32 | n, key -> new LfsrJumpTable(k, n));
    }

    private LfsrJumpTable(int k, int n) {
        Lfsr.checkK(k);
        if (k > 16 || n > 32 || n < 1)
            throw new IllegalArgumentException("jump table needs K ≤ 16 and 1 ≤ n ≤ 32, got K=" + k + " n=" + n);
        this.k = k;
        this.n = n;
        int mask = Lfsr.tapMask(k);
        bits = new int[1 << k];
        for (int s0 = 1; s0 < bits.length; s0++) {
            int s = s0, b = 0;
            for (int i = 0; i < n; i++) {
                s = Lfsr.step(s, k, mask);
                b |= (s >>> (k - 1) & 1) << i;
            }
            bits[s0] = b;
        }
    }

    /** State after j (1 ≤ j ≤ n) steps from {@code state}, from the table (scalar reference of the vector kernel). */
    int stateAfter(int state, int j) {
        int m = (1 << k) - 1;
        return j <= 32 - k ? (state | bits[state] << k) >>> j & m : bits[state] >>> (j - k) & m;
    }

    long bytes() {
        return 4L * bits.length;
    }
}
