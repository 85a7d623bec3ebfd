package dev.llmcw.compress.seedlm;

import dev.llmcw.tensor.KernelSpecies;
import dev.llmcw.util.Parallel;
import java.lang.ref.SoftReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.linsol.svd.SolvePseudoInverseSvd_DDRM;

/**
 * Everything the seed search needs for one (C, P, K), computed once: the LFSR cycle (offset o ↦ seed
 * state cycle[o], U(o) built from the C·P states after it), pinv(U(o)) from an SVD in double precision
 * (some U are badly conditioned), the inverse Cholesky factor of G(o) = U(o)ᵀU(o) with a rounding slack for the
 * pruning bound. The float copies are laid out structure-of-arrays
 * (one contiguous run of all offsets per matrix entry) so the search loads one vector of consecutive
 * seeds per entry. Offsets are padded to a multiple of the vector length; padded offsets are ≥ {@link #n}
 * and never chosen.
 */
final class SeedTables {
    static final int LANES = KernelSpecies.F.length();
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
    /**
     * Inverse Cholesky factor M = L⁻¹ of G(o) = U(o)ᵀU(o) = L·Lᵀ (lower triangular, pk×pk, rows/columns ≥ P zero), entry
     * (i, j ≤ i) at [(i(i+1)/2 + j)·nPad + o]. z = M·Uᵀw are the coordinates of w's projection onto span U(o) in an
     * orthonormal basis, so ‖w‖² − ‖z‖² is the least-squares residual min_t ‖w − U t‖², the pruning lower bound.
     */
    final float[] chol;
    /**
     * Per-offset pruning slack, relative to ‖w‖²: a rigorous bound on how far the float evaluation of ‖w‖² − ‖z‖² (and
     * of the screen's own residual) can lie above the exact values (rounding of Uᵀw, of M, and amplification by ‖M‖).
     * Badly conditioned offsets get a slack ≥ 1, i.e. they are never pruned; ∞ where G is singular.
     */
    final float[] slack;
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
        // padded past the end for the screen's vector loads: fine path to nPad + C·P, Uᵀw correlation to nPad + C·P +
        // pk + 2·LANES
        this.unorm = new float[nPad + c * p + pk + 2 * LANES];
        for (int i = 0; i < unorm.length; i++) unorm[i] = (float) Lfsr.normalise(cycle[i % n], k);
        this.pairs = pk * (pk + 1) / 2;
        this.pinv = new float[pk * c * nPad];
        this.chol = new float[pairs * nPad];
        this.slack = new float[nPad];
        this.pinvD = (long) n * p * c <= MAX_DOUBLE_PINV ? new double[n * p * c] : null;
        ThreadLocal<double[]> scratch = ThreadLocal.withInitial(() -> new double[p * c]);
        Parallel.forRange(0, n, 1024, o -> {
            double[] u = u(o);
            double[] pi = scratch.get();
            pinvInto(u, pi);
            if (pinvD != null) System.arraycopy(pi, 0, pinvD, o * p * c, p * c);
            for (int i = 0; i < p * c; i++) pinv[i * nPad + o] = (float) pi[i];
            slack[o] = invCholesky(u, o);
        });
    }

    /**
     * Writes M = L⁻¹ (G = UᵀU = L·Lᵀ, in double) into {@link #chol} and returns the slack (see there). Error bound, with
     * ε = 2⁻²⁴ and u_j the columns of U: each float b_j = (Uᵀw)_j is off by ≤ (C+1)ε‖u_j‖‖w‖ (products, sum, rounded
     * table entries); z_i = Σ_j m_ij b_j adds (P+1)ε Σ_j |m_ij||b_j| with |b_j| ≤ ‖u_j‖‖w‖, so |δz_i| ≤ ν_i‖w‖ with
     * ν_i = (C+P+2)ε Σ_j |m_ij|‖u_j‖; as ‖z‖ ≤ ‖w‖, ‖z‖² is off by ≤ (2‖ν‖ + ‖ν‖²)‖w‖² plus (P+1)ε for its own sum. The
     * screen's residual ‖w − U t̂‖² of a surviving seed rounds with |t̂| up to ~‖M‖_F‖w‖ (τ below). ‖w‖², the
     * subtraction and the comparison add a few ε. The sum is doubled for safety.
     */
    private float invCholesky(double[] u, int o) {
        double[] g = new double[p * p], l = new double[p * p], m = new double[p * p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                double s = 0;
                for (int r = 0; r < c; r++) s += u[r * p + i] * u[r * p + j];
                g[i * p + j] = s;
            }
        }
        for (int i = 0; i < p; i++) {
            for (int j = 0; j <= i; j++) {
                double s = g[i * p + j];
                for (int k2 = 0; k2 < j; k2++) s -= l[i * p + k2] * l[j * p + k2];
                if (i == j) {
                    if (!(s > 1e-300)) return Float.POSITIVE_INFINITY; // singular G: never prune (chol stays 0)
                    l[i * p + i] = Math.sqrt(s);
                } else {
                    l[i * p + j] = s / l[j * p + j];
                }
            }
        }
        for (int j = 0; j < p; j++) { // forward substitution, column j of L⁻¹
            for (int i = j; i < p; i++) {
                double s = i == j ? 1 : 0;
                for (int k2 = j; k2 < i; k2++) s -= l[i * p + k2] * m[k2 * p + j];
                m[i * p + j] = s / l[i * p + i];
            }
        }
        final double eps = 0x1p-24;
        double[] colNorm = new double[p];
        for (int j = 0; j < p; j++) colNorm[j] = Math.sqrt(g[j * p + j]);
        double nu2 = 0, mf2 = 0;
        for (int i = 0; i < p; i++) {
            double nu = 0;
            for (int j = 0; j <= i; j++) {
                nu += Math.abs(m[i * p + j]) * colNorm[j];
                mf2 += m[i * p + j] * m[i * p + j];
                chol[(i * (i + 1) / 2 + j) * nPad + o] = (float) m[i * p + j];
            }
            nu *= (c + p + 2) * eps;
            nu2 += nu * nu;
        }
        double nu = Math.sqrt(nu2);
        double tau = (p + 2) * eps * Math.sqrt((double) p * c) * (2 * Math.sqrt(mf2) + 1);
        double slack = 2 * nu
                + nu * nu
                + (p + 1) * eps * (1 + nu) * (1 + nu)
                + (c + 6) * eps
                + 2 * Math.sqrt(c) * tau
                + c * tau * tau;
        return (float) (2 * slack + 1e-6);
    }

    /** Register state stored for offset o. */
    int seed(int o) {
        return cycle[o];
    }

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
