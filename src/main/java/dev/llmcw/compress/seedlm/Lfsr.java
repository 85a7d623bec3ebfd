package dev.llmcw.compress.seedlm;

/**
 * The K-bit Fibonacci LFSR of SeedLM (algorithms.md §1): feedback bit = XOR of the state bits at the tap
 * positions (bit 0 = least significant), shift right by one, feedback into bit K−1. Every tap set in the
 * table is maximal length, so the non-zero states form one cycle of period 2^K − 1.
 */
public final class Lfsr {
    public static final int MIN_K = 2;
    public static final int MAX_K = 24;

    private static final int[][] TAPS = {
        null,
        null,
        {0, 1},
        {0, 1},
        {0, 1},
        {0, 2},
        {0, 1},
        {0, 1},
        {0, 2, 3, 4},
        {0, 4}, // K = 2..9
        {0, 3},
        {0, 2},
        {0, 1, 2, 8},
        {0, 1, 2, 5},
        {0, 1, 2, 12},
        {0, 1},
        {0, 1, 3, 12}, // K = 10..16
        {0, 3},
        {0, 7},
        {0, 1, 2, 5},
        {0, 3},
        {0, 2},
        {0, 1},
        {0, 5},
        {0, 1, 2, 7}, // K = 17..24
    };

    private Lfsr() {}

    public static void checkK(int k) {
        if (k < MIN_K || k > MAX_K)
            throw new IllegalArgumentException("LFSR width K must be in [" + MIN_K + ", " + MAX_K + "], got " + k);
    }

    /** Tap positions for width K. */
    public static int[] taps(int k) {
        checkK(k);
        return TAPS[k].clone();
    }

    /** Bit mask of the tap positions: feedback = parity(state & mask). */
    public static int tapMask(int k) {
        checkK(k);
        int m = 0;
        for (int t : TAPS[k]) m |= 1 << t;
        return m;
    }

    /** Number of non-zero states = period of the cycle. */
    public static int period(int k) {
        checkK(k);
        return (1 << k) - 1;
    }

    /** One LFSR step. */
    public static int step(int state, int k, int tapMask) {
        int b = Integer.bitCount(state & tapMask) & 1;
        return (state >>> 1) | (b << (k - 1));
    }

    /** The whole cycle starting at state 1: cycle[i] = state after i steps from 1, length 2^K − 1. */
    public static int[] cycle(int k) {
        int n = period(k), mask = tapMask(k);
        int[] c = new int[n];
        int s = 1;
        for (int i = 0; i < n; i++) {
            c[i] = s;
            s = step(s, k, mask);
        }
        if (s != 1) throw new IllegalStateException("LFSR K=" + k + " is not maximal length");
        return c;
    }

    /** V(seed): C×P integer matrix filled row by row with the C·P states that follow the seed (the seed itself unused). */
    public static int[][] matrix(int seed, int k, int c, int p) {
        checkSeed(seed, k);
        int mask = tapMask(k);
        int[][] v = new int[c][p];
        int s = seed;
        for (int r = 0; r < c; r++) {
            for (int j = 0; j < p; j++) {
                s = step(s, k, mask);
                v[r][j] = s;
            }
        }
        return v;
    }

    /** U(seed) = (V − 2^{K−1}) / (2^{K−1} − 1), row-major C·P doubles. */
    public static double[] normalisedMatrix(int seed, int k, int c, int p) {
        checkSeed(seed, k);
        int mask = tapMask(k);
        double[] u = new double[c * p];
        int s = seed;
        for (int i = 0; i < u.length; i++) {
            s = step(s, k, mask);
            u[i] = normalise(s, k);
        }
        return u;
    }

    /** Maps a state in [1, 2^K − 1] to [−1, 1]: (s − 2^{K−1}) / (2^{K−1} − 1). */
    public static double normalise(int state, int k) {
        double h = 1 << (k - 1);
        return (state - h) / (h - 1);
    }

    static void checkSeed(int seed, int k) {
        checkK(k);
        if (seed <= 0 || seed >= (1 << k))
            throw new IllegalArgumentException("seed " + seed + " is not a non-zero " + k + "-bit state");
    }
}
