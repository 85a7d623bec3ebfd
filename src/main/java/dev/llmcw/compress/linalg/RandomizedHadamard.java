package dev.llmcw.compress.linalg;

import dev.llmcw.util.Parallel;
import java.util.Arrays;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The orthonormal incoherence transform T = (H_{2^a} ⊗ B_K)·diag(d) of size n = 2^a·K (K odd):
 * H_{2^a} is the normalised Walsh–Hadamard matrix (applied by the fast transform), d a seeded random
 * ±1 vector, and B_K a seeded random orthogonal K×K block (K = 1 for powers of two).
 *
 * <p>Deviation from the official CALDERA/QuIP# code: for non-power-of-two sizes they use a fixed
 * Hadamard matrix Had_K from a table (K = 12, 20, 28, ...); we use a Haar-random orthogonal K×K
 * block instead, as algorithms.md allows. Everything is regenerated from (n, seed), so a compressed
 * file stores only the seed.
 */
public final class RandomizedHadamard {
    private final int n, pow2, k;
    private final long seed;
    private final double[] signs;
    private final double[] block; // K×K row-major, null when K == 1

    public RandomizedHadamard(int n, long seed) {
        if (n <= 0) throw new IllegalArgumentException("Hadamard size must be positive: " + n);
        this.n = n;
        this.seed = seed;
        this.pow2 = Integer.lowestOneBit(n);
        this.k = n / pow2;
        Random rnd = new Random(seed);
        signs = new double[n];
        for (int i = 0; i < n; i++) signs[i] = rnd.nextBoolean() ? 1 : -1;
        block = k == 1 ? null : Dense.randomOrthogonal(k, seed * 31 + 7).data;
    }

    /**
     * The transform of size {@code size} under a method's {@code seed} (CALDERA's convention, shared by the
     * baselines' optional rotation): each size gets its own signs and blocks.
     */
    public static RandomizedHadamard seeded(long seed, int size) {
        return new RandomizedHadamard(size, seed * 1_000_003L + size);
    }

    public int size() {
        return n;
    }

    public long seed() {
        return seed;
    }

    public int oddFactor() {
        return k;
    }

    public double[] signs() {
        return signs.clone();
    }

    /** x ← T·x on x[off..off+n). {@code tmp} needs K doubles (or may be null). */
    public void apply(double[] x, int off, double[] tmp) {
        for (int i = 0; i < n; i++) x[off + i] *= signs[i];
        if (block != null) applyBlock(x, off, tmp, false);
        fwht(x, off);
    }

    /** x ← Tᵀ·x (= T⁻¹·x). */
    public void applyTranspose(double[] x, int off, double[] tmp) {
        fwht(x, off); // the normalised Walsh–Hadamard matrix is symmetric and its own inverse
        if (block != null) applyBlock(x, off, tmp, true);
        for (int i = 0; i < n; i++) x[off + i] *= signs[i];
    }

    /** Same on floats (inference path). */
    public void apply(float[] x, int off, double[] work) {
        for (int i = 0; i < n; i++) work[i] = x[off + i];
        apply(work, 0, null);
        for (int i = 0; i < n; i++) x[off + i] = (float) work[i];
    }

    public void applyTranspose(float[] x, int off, double[] work) {
        for (int i = 0; i < n; i++) work[i] = x[off + i];
        applyTranspose(work, 0, null);
        for (int i = 0; i < n; i++) x[off + i] = (float) work[i];
    }

    private void applyBlock(double[] x, int off, double[] tmp, boolean transpose) {
        if (tmp == null || tmp.length < k) tmp = new double[k];
        for (int p = 0; p < pow2; p++) {
            int base = off + p * k;
            for (int r = 0; r < k; r++) {
                double s = 0;
                if (transpose) {
                    for (int c = 0; c < k; c++) s += block[c * k + r] * x[base + c];
                } else {
                    for (int c = 0; c < k; c++) s += block[r * k + c] * x[base + c];
                }
                tmp[r] = s;
            }
            System.arraycopy(tmp, 0, x, base, k);
        }
    }

    /** In-place normalised Walsh–Hadamard transform across the 2^a groups (stride K). */
    private void fwht(double[] x, int off) {
        for (int h = 1; h < pow2; h <<= 1) {
            for (int i = 0; i < pow2; i += h << 1) {
                for (int j = i; j < i + h; j++) {
                    int a = off + j * k, b = off + (j + h) * k;
                    for (int q = 0; q < k; q++) {
                        double u = x[a + q], v = x[b + q];
                        x[a + q] = u + v;
                        x[b + q] = u - v;
                    }
                }
            }
        }
        double norm = 1 / Math.sqrt(pow2);
        for (int i = 0; i < n; i++) x[off + i] *= norm;
    }

    /** M ← M·Tᵀ (each row r ← T·r). */
    public void applyToRows(DMatrixRMaj m) {
        if (m.numCols != n)
            throw new IllegalArgumentException("rows of length " + m.numCols + " != transform size " + n);
        Parallel.forRange(0, m.numRows, 4, r -> apply(m.data, r * n, new double[k]));
    }

    /** M ← M·T (each row r ← Tᵀ·r). */
    public void applyTransposeToRows(DMatrixRMaj m) {
        if (m.numCols != n)
            throw new IllegalArgumentException("rows of length " + m.numCols + " != transform size " + n);
        Parallel.forRange(0, m.numRows, 4, r -> applyTranspose(m.data, r * n, new double[k]));
    }

    /** The dense matrix T (tests, small sizes). */
    public DMatrixRMaj matrix() {
        DMatrixRMaj t = new DMatrixRMaj(n, n);
        double[] e = new double[n];
        for (int c = 0; c < n; c++) {
            Arrays.fill(e, 0);
            e[c] = 1;
            apply(e, 0, null);
            for (int r = 0; r < n; r++) t.data[r * n + c] = e[r];
        }
        return t;
    }

    /** W̃ = T_m·W·T_nᵀ in place. */
    public static void rotateWeight(DMatrixRMaj w, RandomizedHadamard tm, RandomizedHadamard tn) {
        tn.applyToRows(w);
        DMatrixRMaj wt = Dense.transpose(w);
        tm.applyToRows(wt);
        CommonOps_DDRM.transpose(wt, w);
    }

    /** W = T_mᵀ·W̃·T_n in place. */
    public static void unrotateWeight(DMatrixRMaj w, RandomizedHadamard tm, RandomizedHadamard tn) {
        tn.applyTransposeToRows(w);
        DMatrixRMaj wt = Dense.transpose(w);
        tm.applyTransposeToRows(wt);
        CommonOps_DDRM.transpose(wt, w);
    }
}
