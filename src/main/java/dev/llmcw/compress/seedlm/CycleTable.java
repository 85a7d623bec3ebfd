package dev.llmcw.compress.seedlm;

import java.lang.ref.SoftReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The LFSR's own output sequence, normalised, laid out so that every column of every U(seed) is one
 * contiguous run of C floats. Shared by all tensors with the same (K, P); its size depends on K and P
 * only, never on the model (K = 16, P = 3: 438 KB, L2-resident), so reading it is "running the LFSR from
 * a lookup table", not storing decoded weights: nothing in it depends on a weight or a block.
 *
 * <p>Why this works: the taps are maximal length, so all 2^K − 1 non-zero states lie on one cycle
 * (cycle[o] = state after o steps from state 1). A block whose stored register state is cycle[o] uses the
 * C·P states cycle[o+1 .. o+C·P] (indices mod 2^K − 1), row-major: U[r][p] = norm(cycle[o + 1 + p + P·r]).
 * Column p is the stride-P run starting at o + 1 + p. Writing o = φ + P·m (φ = o mod P), that run is
 * section φ + p, positions m .. m+C−1, of the decimated sections
 * <pre>  sec[s][j] = norm(cycle[(1 + s + P·j) mod (2^K − 1)]),  s = 0 .. 2P−2</pre>
 * so U's column p starts at flat index base(o) + p·stride with base(o) = φ·stride + m. Sections s ≥ P are
 * the sections s − P shifted by one position; keeping them saves the wrap-around test in the kernel.
 * The "mod 2^K − 1" pads the end with the start of the cycle, so seeds near the end of the cycle need no
 * special case either.
 */
public final class CycleTable {
    /** Longest column (C) the sections are padded for. */
    public static final int MAX_C = 64;
    private static final Map<Long, SoftReference<CycleTable>> CACHE = new ConcurrentHashMap<>();

    final int k, p, n, stride;
    /** (2P−1)·stride normalised states, see the class comment. */
    final float[] values;
    /** Register state ↦ cycle offset o (index 0 unused: the all-zero state is not on the cycle). */
    private final int[] offsetOfState;
    /** floor(o / P) = (o · magic) >>> 32, exact for o < 2^24 and P ≤ 7 (error < 2^-8 < 1/P). */
    final long magic;

    public static CycleTable of(int k, int p) {
        long key = (long) k << 32 | p;
        SoftReference<CycleTable> ref = CACHE.get(key);
        CycleTable t = ref == null ? null : ref.get();
        if (t == null) {
            synchronized (CACHE) {
                ref = CACHE.get(key);
                t = ref == null ? null : ref.get();
                if (t == null) {
                    t = new CycleTable(k, p);
                    CACHE.put(key, new SoftReference<>(t));
                }
            }
        }
        return t;
    }

    private CycleTable(int k, int p) {
        if (p < 1 || p > 7) throw new IllegalArgumentException("P must be in [1, 7], got " + p);
        this.k = k;
        this.p = p;
        int[] cycle = Lfsr.cycle(k);
        this.n = cycle.length;
        this.offsetOfState = new int[n + 1];
        for (int o = 0; o < n; o++) offsetOfState[cycle[o]] = o;
        this.stride = (n - 1) / p + MAX_C;
        this.values = new float[(2 * p - 1) * stride];
        for (int s = 0; s < 2 * p - 1; s++) {
            for (int j = 0; j < stride; j++) {
                values[s * stride + j] = (float) Lfsr.normalise(cycle[(int) ((1L + s + (long) p * j) % n)], k);
            }
        }
        this.magic = (1L << 32) / p + 1;
    }

    /** Cycle offset o of a register state (cycle[o] == state). */
    public int offset(int state) {
        Lfsr.checkSeed(state, k);
        return offsetOfState[state];
    }

    /** Flat index of U(cycle[o])[0][0]; column p of U starts at base(o) + p·stride. */
    int base(int o) {
        int m = (int) ((o * magic) >>> 32);
        return (o - m * p) * stride + m;
    }

    /** U(state) read from the table, row-major C×P: equals (float) Lfsr.normalisedMatrix bit for bit. */
    public float[] u(int state, int c) {
        if (c > MAX_C) throw new IllegalArgumentException("C > " + MAX_C);
        int b = base(offset(state));
        float[] u = new float[c * p];
        for (int r = 0; r < c; r++) for (int i = 0; i < p; i++) u[r * p + i] = values[b + i * stride + r];
        return u;
    }

    /** Bytes of the shared table (not per tensor). */
    public long bytes() { return 4L * values.length; }
}
