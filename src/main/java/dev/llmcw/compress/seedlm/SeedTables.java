package dev.llmcw.compress.seedlm;

import dev.llmcw.engine.Parallel;
import jdk.incubator.vector.FloatVector;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.linsol.svd.SolvePseudoInverseSvd_DDRM;

import java.lang.ref.SoftReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything the seed search needs for one (C, P, K), computed once: the LFSR cycle (offset o ↦ seed
 * state cycle[o], U(o) built from the C·P states after it), pinv(U(o)) from an SVD in double precision
 * (some U are badly conditioned), and G(o) = U(o)ᵀU(o). The float copies are laid out structure-of-arrays
 * (one contiguous run of all offsets per matrix entry) so the search loads one vector of consecutive
 * seeds per entry. Offsets are padded to a multiple of the vector length; padded offsets are ≥ {@link #n}
 * and never chosen.
 */
final class SeedTables {
    static final int LANES = FloatVector.SPECIES_PREFERRED.length();
    /** Keep the double pseudo-inverses for exact rescoring when they take at most this many doubles. */
    private static final long MAX_DOUBLE_PINV = 16L << 20;
    private static final Map<String, SoftReference<SeedTables>> CACHE = new ConcurrentHashMap<>();

    final int c, p, k, n, nPad;
    /** Coefficient rows in the float tables: 3 or 4 (zero rows pad P = 1, 2 so one kernel serves them). */
    final int pk, pairs;
    final int[] cycle;
    /** Normalised cycle values extended past the end: U(o)[r][i] = unorm[o + 1 + r·P + i] for every o < nPad. */
    final float[] unorm;
    /** pinv entry (i, j) (row i < pk, column j < C) of offset o at [(i·C + j)·nPad + o]; rows ≥ P are zero. */
    final float[] pinv;
    /** G entry for pair index (i ≤ j) at [pair·nPad + o]; off-diagonal entries doubled (quadratic form). */
    final float[] gram;
    /** Double pinv, [o·P·C + i·C + j], or null when too large (then recomputed per candidate). */
    private final double[] pinvD;

    static SeedTables of(int c, int p, int k) {
        String key = c + "/" + p + "/" + k;
        SoftReference<SeedTables> ref = CACHE.get(key);
        SeedTables t = ref == null ? null : ref.get();
        if (t == null) {
            synchronized (CACHE) {
                ref = CACHE.get(key);
                t = ref == null ? null : ref.get();
                if (t == null) {
                    t = new SeedTables(c, p, k);
                    CACHE.put(key, new SoftReference<>(t));
                }
            }
        }
        return t;
    }

    private SeedTables(int c, int p, int k) {
        this.c = c;
        this.p = p;
        this.k = k;
        this.cycle = Lfsr.cycle(k);
        this.n = cycle.length;
        this.nPad = (n + LANES - 1) / LANES * LANES;
        this.pk = p <= 3 ? 3 : 4;
        this.unorm = new float[nPad + c * p + 1];
        for (int i = 0; i < unorm.length; i++) unorm[i] = (float) Lfsr.normalise(cycle[i % n], k);
        this.pairs = pk * (pk + 1) / 2;
        this.pinv = new float[pk * c * nPad];
        this.gram = new float[pairs * nPad];
        this.pinvD = (long) n * p * c <= MAX_DOUBLE_PINV ? new double[n * p * c] : null;
        ThreadLocal<double[]> scratch = ThreadLocal.withInitial(() -> new double[p * c]);
        Parallel.forRange(0, n, 1024, o -> {
            double[] u = u(o);
            double[] pi = scratch.get();
            pinvInto(u, pi);
            if (pinvD != null) System.arraycopy(pi, 0, pinvD, o * p * c, p * c);
            for (int i = 0; i < p * c; i++) pinv[i * nPad + o] = (float) pi[i];
            int pair = 0;
            for (int i = 0; i < pk; i++) {
                for (int j = i; j < pk; j++) {
                    double g = 0;
                    if (i < p && j < p) for (int r = 0; r < c; r++) g += u[r * p + i] * u[r * p + j];
                    gram[pair++ * nPad + o] = (float) (i == j ? g : 2 * g);
                }
            }
        });
    }

    /** Register state stored for offset o. */
    int seed(int o) { return cycle[o]; }

    /** U(o), row-major C×P, normalised to [−1, 1]. */
    double[] u(int o) {
        double[] u = new double[c * p];
        int idx = o;
        for (int i = 0; i < u.length; i++) {
            if (++idx == n) idx = 0;
            u[i] = Lfsr.normalise(cycle[idx], k);
        }
        return u;
    }

    /** pinv(U(o)) (P×C row-major) into out. */
    void pinvDouble(int o, double[] out) {
        if (pinvD != null) System.arraycopy(pinvD, o * p * c, out, 0, p * c);
        else pinvInto(u(o), out);
    }

    private void pinvInto(double[] u, double[] out) {
        var a = new DMatrixRMaj(c, p, true, u.clone());
        var inv = new DMatrixRMaj(p, c);
        var solver = new SolvePseudoInverseSvd_DDRM(c, p);
        if (!solver.setA(a)) throw new IllegalStateException("SVD failed for a " + c + "x" + p + " LFSR matrix");
        solver.invert(inv);
        System.arraycopy(inv.data, 0, out, 0, p * c);
    }
}
