package dev.llmcw.compress.linalg;

import dev.llmcw.tensor.KernelSpecies;
import dev.llmcw.util.Parallel;
import java.util.Arrays;
import java.util.Random;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;

/**
 * Dense double-precision linear algebra for the calibration-aware compressors. Factorisations
 * (Cholesky, symmetric eigen, SVD, QR) come from EJML; the large products that dominate
 * CALDERA/GPTQ/LDLQ (A·B, A·Bᵀ, Aᵀ·B of a few hundred to a few thousand rows) use our own Vector API
 * kernels parallelised over {@link Parallel}, because EJML's single-threaded scalar products were the
 * bottleneck (see {@code caldera-bench --linalg} for the measured ratio).
 */
public final class Dense {
    private static final VectorSpecies<Double> S = KernelSpecies.D;

    private Dense() {}

    private static final int ROW_BLOCK = 16, K_BLOCK = 128, N_BLOCK = 512;

    /**
     * C = A·B, cache-blocked and register-blocked: each task owns 16 rows of C and walks B in 128×512
     * panels; inside a panel {@link #gemmAcc} keeps 4×(2 vectors) of C in registers (a plain row-by-row
     * axpy re-loads and re-stores C for every term and ran at ~1 GFLOP/s on 576×1536·1536×1536).
     * Every C entry sums its terms in ascending order with one fused multiply-add each, exactly as the
     * axpy form did, so results are unchanged.
     */
    public static DMatrixRMaj mult(DMatrixRMaj a, DMatrixRMaj b) {
        return mult(a, b, false);
    }

    /**
     * C = A·B where B is lower-triangular: about half the work of {@link #mult}. B's strict upper part
     * must hold zeros (as {@link #choleskyLower} returns): panels entirely above the diagonal are skipped,
     * the diagonal panels are multiplied in full.
     */
    public static DMatrixRMaj multLower(DMatrixRMaj a, DMatrixRMaj lowerB) {
        return mult(a, lowerB, true);
    }

    private static DMatrixRMaj mult(DMatrixRMaj a, DMatrixRMaj b, boolean lowerB) {
        if (a.numCols != b.numRows) throw new IllegalArgumentException("mult: " + shape(a) + " · " + shape(b));
        int m = a.numRows, k = a.numCols, n = b.numCols;
        DMatrixRMaj c = new DMatrixRMaj(m, n);
        double[] A = a.data, B = b.data, C = c.data;
        int rowBlocks = (m + ROW_BLOCK - 1) / ROW_BLOCK;
        Parallel.forRange(0, rowBlocks, 1, rb -> {
            int i0 = rb * ROW_BLOCK, rows = Math.min(m, i0 + ROW_BLOCK) - i0;
            for (int j0 = 0; j0 < n; j0 += N_BLOCK) {
                int nj = Math.min(N_BLOCK, n - j0);
                for (int p0 = 0; p0 < k; p0 += K_BLOCK) {
                    int p1 = Math.min(k, p0 + K_BLOCK);
                    // Lower B: rows p < p1 are zero in columns ≥ p1.
                    int cols = lowerB ? Math.min(nj, p1 - j0) : nj;
                    if (cols <= 0) continue;
                    gemmAcc(
                            rows,
                            cols,
                            p1 - p0,
                            StridedMatrix.rows(A, i0 * k + p0, k),
                            StridedMatrix.rows(B, p0 * n + j0, n),
                            StridedMatrix.rows(C, i0 * n + j0, n));
                }
            }
        });
        return c;
    }

    /**
     * The register-blocked kernel behind the products: {@code C(i,j) += Σ_p A(i,p)·B(p,j)} for i < rows,
     * j < cols, p < depth. A may be any strided view (row-major A, Aᵀ...); B and C must be row-major rows
     * (column stride 1), since the kernel loads their rows as vectors. Each C entry accumulates its terms
     * in ascending p, one fused multiply-add per term (the last {@code cols mod lanes} columns: plain multiply-add, as {@link #axpy}),
     * so it reproduces a sequence of {@link #axpy} calls over p bit for bit. Tiles of 4 rows × 2 vectors
     * stay in registers; the loop over 4-row tiles is inside the loop over column tiles so the B
     * micro-panel (depth × 2 vectors) is reused from L1.
     */
    public static void gemmAcc(int rows, int cols, int depth, StridedMatrix a, StridedMatrix b, StridedMatrix c) {
        if (b.colStride() != 1 || c.colStride() != 1) {
            throw new IllegalArgumentException(
                    "gemmAcc: B and C need column stride 1, got " + b.colStride() + " and " + c.colStride());
        }
        // Locals named as before the operands became records, so the loops below read exactly as they did.
        final double[] A = a.data(), B = b.data(), C = c.data();
        final int ai = a.offset(), aRs = a.rowStride(), aPs = a.colStride();
        final int bi = b.offset(), ldb = b.rowStride(), ci = c.offset(), ldc = c.rowStride();
        final int L = S.length(), W = 2 * L;
        int j = 0;
        for (; j + W <= cols; j += W) {
            int i = 0;
            for (; i + 4 <= rows; i += 4) tile4x2(depth, a, ai + i * aRs, b, bi + j, c, ci + i * ldc + j);
            for (; i < rows; i++) tile1(depth, a, ai + i * aRs, b, bi + j, c, ci + i * ldc + j, 2);
        }
        for (; j + L <= cols; j += L) {
            for (int i = 0; i < rows; i++) tile1(depth, a, ai + i * aRs, b, bi + j, c, ci + i * ldc + j, 1);
        }
        if (j < cols) {
            for (int i = 0; i < rows; i++) {
                int cr = ci + i * ldc;
                for (int p = 0; p < depth; p++) {
                    double av = A[ai + i * aRs + p * aPs];
                    if (av == 0) continue;
                    int br = bi + p * ldb;
                    for (int t = j; t < cols; t++) C[cr + t] += av * B[br + t];
                }
            }
        }
    }

    /** 4 rows × 2 vectors of C from A(a0 + i·aRs + p·aPs) and B(b0 + p·ldb), starting at C[c0]: offsets are the tile's. */
    private static void tile4x2(
            int depth, StridedMatrix am, int a0, StridedMatrix bm, int b0, StridedMatrix cm, int c0) {
        final double[] A = am.data(), B = bm.data(), C = cm.data();
        final int aRs = am.rowStride(), aPs = am.colStride(), ldb = bm.rowStride(), ldc = cm.rowStride();
        final int L = S.length();
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        DoubleVector x00 = DoubleVector.fromArray(S, C, c0), x01 = DoubleVector.fromArray(S, C, c0 + L);
        DoubleVector x10 = DoubleVector.fromArray(S, C, c1), x11 = DoubleVector.fromArray(S, C, c1 + L);
        DoubleVector x20 = DoubleVector.fromArray(S, C, c2), x21 = DoubleVector.fromArray(S, C, c2 + L);
        DoubleVector x30 = DoubleVector.fromArray(S, C, c3), x31 = DoubleVector.fromArray(S, C, c3 + L);
        int ap = a0, bp = b0;
        for (int p = 0; p < depth; p++, ap += aPs, bp += ldb) {
            DoubleVector b = DoubleVector.fromArray(S, B, bp), bb = DoubleVector.fromArray(S, B, bp + L);
            DoubleVector v = DoubleVector.broadcast(S, A[ap]);
            x00 = b.fma(v, x00);
            x01 = bb.fma(v, x01);
            v = DoubleVector.broadcast(S, A[ap + aRs]);
            x10 = b.fma(v, x10);
            x11 = bb.fma(v, x11);
            v = DoubleVector.broadcast(S, A[ap + 2 * aRs]);
            x20 = b.fma(v, x20);
            x21 = bb.fma(v, x21);
            v = DoubleVector.broadcast(S, A[ap + 3 * aRs]);
            x30 = b.fma(v, x30);
            x31 = bb.fma(v, x31);
        }
        x00.intoArray(C, c0);
        x01.intoArray(C, c0 + L);
        x10.intoArray(C, c1);
        x11.intoArray(C, c1 + L);
        x20.intoArray(C, c2);
        x21.intoArray(C, c2 + L);
        x30.intoArray(C, c3);
        x31.intoArray(C, c3 + L);
    }

    /** One row × {@code vecs} (1 or 2) vectors; offsets as {@link #tile4x2}. */
    private static void tile1(
            int depth, StridedMatrix am, int a0, StridedMatrix bm, int b0, StridedMatrix cm, int c0, int vecs) {
        final double[] A = am.data(), B = bm.data(), C = cm.data();
        final int aPs = am.colStride(), ldb = bm.rowStride();
        final int L = S.length();
        DoubleVector x0 = DoubleVector.fromArray(S, C, c0);
        DoubleVector x1 = vecs == 2 ? DoubleVector.fromArray(S, C, c0 + L) : null;
        int ap = a0, bp = b0;
        for (int p = 0; p < depth; p++, ap += aPs, bp += ldb) {
            DoubleVector v = DoubleVector.broadcast(S, A[ap]);
            x0 = DoubleVector.fromArray(S, B, bp).fma(v, x0);
            if (vecs == 2) x1 = DoubleVector.fromArray(S, B, bp + L).fma(v, x1);
        }
        x0.intoArray(C, c0);
        if (vecs == 2) x1.intoArray(C, c0 + L);
    }

    /**
     * Solves {@code Cᵀ·X = Y} for lower-triangular C (i.e. upper-triangular Cᵀ) by back
     * substitution over rows of X; Y is n×r, row-oriented so every update is a contiguous axpy.
     */
    public static DMatrixRMaj solveLowerTransposed(DMatrixRMaj lower, DMatrixRMaj y) {
        int n = lower.numRows, r = y.numCols;
        DMatrixRMaj x = y.copy();
        double[] L = lower.data, X = x.data;
        for (int i = n - 1; i >= 0; i--) {
            // X[i,:] = (Y[i,:] − Σ_{j>i} C[j,i]·X[j,:]) / C[i,i]
            for (int j = i + 1; j < n; j++) {
                double cji = L[j * n + i];
                if (cji != 0) axpy(-cji, X, j * r, X, i * r, r);
            }
            double d = L[i * n + i];
            for (int t = 0; t < r; t++) X[i * r + t] /= d;
        }
        return x;
    }

    /** C = A·Bᵀ, as A·(Bᵀ) through the blocked kernel (the transpose costs one pass over B). */
    public static DMatrixRMaj multTransB(DMatrixRMaj a, DMatrixRMaj b) {
        if (a.numCols != b.numCols)
            throw new IllegalArgumentException("multTransB: " + shape(a) + " · " + shape(b) + "ᵀ");
        return mult(a, transpose(b));
    }

    /** C = Aᵀ·B through the blocked kernel (A read with strides; terms summed in ascending row order of A). */
    public static DMatrixRMaj multTransA(DMatrixRMaj a, DMatrixRMaj b) {
        if (a.numRows != b.numRows) throw new IllegalArgumentException("multTransA: " + shape(a) + "ᵀ · " + shape(b));
        int k = a.numRows, m = a.numCols, n = b.numCols;
        DMatrixRMaj c = new DMatrixRMaj(m, n);
        double[] A = a.data, B = b.data, C = c.data;
        int rowBlocks = (m + ROW_BLOCK - 1) / ROW_BLOCK;
        Parallel.forRange(0, rowBlocks, 1, rb -> {
            int i0 = rb * ROW_BLOCK, rows = Math.min(m, i0 + ROW_BLOCK) - i0;
            for (int j0 = 0; j0 < n; j0 += N_BLOCK) {
                int nj = Math.min(N_BLOCK, n - j0);
                for (int p0 = 0; p0 < k; p0 += K_BLOCK) {
                    int p1 = Math.min(k, p0 + K_BLOCK);
                    gemmAcc(
                            rows,
                            nj,
                            p1 - p0,
                            StridedMatrix.transposedRows(A, p0 * m + i0, m),
                            StridedMatrix.rows(B, p0 * n + j0, n),
                            StridedMatrix.rows(C, i0 * n + j0, n));
                }
            }
        });
        return c;
    }

    /** y[yo..yo+n) += a·x[xo..xo+n). */
    public static void axpy(double a, double[] x, int xo, double[] y, int yo, int n) {
        int i = 0;
        var av = DoubleVector.broadcast(S, a);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            DoubleVector.fromArray(S, x, xo + i)
                    .fma(av, DoubleVector.fromArray(S, y, yo + i))
                    .intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += a * x[xo + i];
    }

    public static double dot(double[] x, int xo, double[] y, int yo, int n) {
        int i = 0;
        var acc = DoubleVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            acc = DoubleVector.fromArray(S, x, xo + i).fma(DoubleVector.fromArray(S, y, yo + i), acc);
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += x[xo + i] * y[yo + i];
        return s;
    }

    /** Lower-triangular Cholesky factor C with H = C·Cᵀ; fails with a clear message if H is not SPD. */
    public static DMatrixRMaj choleskyLower(DMatrixRMaj h) {
        var chol = DecompositionFactory_DDRM.chol(h.numRows, true);
        DMatrixRMaj copy = h.copy();
        if (!chol.decompose(copy))
            throw new IllegalArgumentException("matrix is not positive definite (Cholesky failed), n=" + h.numRows);
        DMatrixRMaj c = chol.getT(null);
        // EJML leaves the strict upper part untouched in some versions; clear it.
        for (int i = 0; i < c.numRows; i++) for (int j = i + 1; j < c.numCols; j++) c.data[i * c.numCols + j] = 0;
        return c;
    }

    /** Inverse of a symmetric positive-definite matrix (via Cholesky). */
    public static DMatrixRMaj invertSpd(DMatrixRMaj h) {
        var solver = LinearSolverFactory_DDRM.chol(h.numRows);
        if (!solver.setA(h.copy()))
            throw new IllegalArgumentException("matrix is not positive definite, n=" + h.numRows);
        DMatrixRMaj inv = new DMatrixRMaj(h.numRows, h.numCols);
        solver.invert(inv);
        return inv;
    }

    /** Symmetric eigendecomposition H = V·diag(λ)·Vᵀ, eigenvalues in descending order. */
    public record SymEig(double[] values, DMatrixRMaj vectors) {}

    public static SymEig symEig(DMatrixRMaj h) {
        int n = h.numRows;
        var eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(h.copy())) throw new IllegalStateException("eigendecomposition failed, n=" + n);
        Integer[] order = new Integer[n];
        double[] vals = new double[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            vals[i] = eig.getEigenvalue(i).real;
        }
        Arrays.sort(order, (x, y) -> Double.compare(vals[y], vals[x]));
        DMatrixRMaj v = new DMatrixRMaj(n, n);
        double[] sorted = new double[n];
        for (int c = 0; c < n; c++) {
            sorted[c] = vals[order[c]];
            DMatrixRMaj vec = eig.getEigenVector(order[c]);
            for (int r = 0; r < n; r++) v.data[r * n + c] = vec.data[r];
        }
        return new SymEig(sorted, v);
    }

    /** Thin SVD A = U·diag(s)·Vᵀ, singular values descending. */
    public record Svd(DMatrixRMaj u, double[] s, DMatrixRMaj v) {}

    public static Svd svd(DMatrixRMaj a) {
        var svd = DecompositionFactory_DDRM.svd(a.numRows, a.numCols, true, true, true);
        if (!svd.decompose(a.copy())) throw new IllegalStateException("SVD failed for " + shape(a));
        DMatrixRMaj u = svd.getU(null, false), w = svd.getW(null), v = svd.getV(null, false);
        SingularOps_DDRM.descendingOrder(u, false, w, v, false);
        int r = Math.min(w.numRows, w.numCols);
        double[] s = new double[r];
        for (int i = 0; i < r; i++) s[i] = w.get(i, i);
        return new Svd(u, s, v);
    }

    /**
     * Top-{@code k} singular triplets. Exact (full SVD) when {@code exact} or the matrix is small;
     * otherwise randomised subspace iteration (Halko et al.): {@code k+10} Gaussian probes,
     * {@code powerIters} power iterations with re-orthonormalisation, then an exact SVD of the small
     * projected matrix. Deviation from the official CALDERA code (full SVD) for speed; the error it
     * adds is measured in the tests and reported per tensor through the activation-aware error.
     */
    public static Svd topK(DMatrixRMaj a, int k, boolean exact, int powerIters, long seed) {
        int m = a.numRows, n = a.numCols, r = Math.min(m, n);
        if (k > r) throw new IllegalArgumentException("rank " + k + " exceeds min dimension of " + shape(a));
        int l = Math.min(r, k + 10);
        if (exact || r <= 128 || l * 3 >= r) return truncate(svd(a), k);
        Random rnd = new Random(seed);
        DMatrixRMaj omega = new DMatrixRMaj(n, l);
        for (int i = 0; i < omega.data.length; i++) omega.data[i] = rnd.nextGaussian();
        DMatrixRMaj q = orthonormalColumns(mult(a, omega));
        for (int it = 0; it < powerIters; it++) {
            DMatrixRMaj z = orthonormalColumns(multTransA(a, q)); // n×l
            q = orthonormalColumns(mult(a, z)); // m×l
        }
        DMatrixRMaj b = multTransA(q, a); // l×n
        Svd small = svd(b);
        DMatrixRMaj u = mult(q, small.u());
        return truncate(new Svd(u, small.s(), small.v()), k);
    }

    private static Svd truncate(Svd s, int k) {
        DMatrixRMaj u = new DMatrixRMaj(s.u().numRows, k), v = new DMatrixRMaj(s.v().numRows, k);
        CommonOps_DDRM.extract(s.u(), 0, s.u().numRows, 0, k, u, 0, 0);
        CommonOps_DDRM.extract(s.v(), 0, s.v().numRows, 0, k, v, 0, 0);
        return new Svd(u, Arrays.copyOf(s.s(), k), v);
    }

    /** Orthonormal basis of the columns (Householder QR, thin Q). */
    public static DMatrixRMaj orthonormalColumns(DMatrixRMaj a) {
        var qr = DecompositionFactory_DDRM.qr(a.numRows, a.numCols);
        if (!qr.decompose(a.copy())) throw new IllegalStateException("QR failed for " + shape(a));
        return qr.getQ(null, true);
    }

    /** Random orthogonal n×n matrix (QR of a seeded Gaussian matrix with sign-fixed R diagonal: Haar). */
    public static DMatrixRMaj randomOrthogonal(int n, long seed) {
        Random rnd = new Random(seed);
        DMatrixRMaj g = new DMatrixRMaj(n, n);
        for (int i = 0; i < g.data.length; i++) g.data[i] = rnd.nextGaussian();
        var qr = DecompositionFactory_DDRM.qr(n, n);
        qr.decompose(g.copy());
        DMatrixRMaj q = qr.getQ(null, false), r = qr.getR(null, false);
        for (int c = 0; c < n; c++) {
            if (r.get(c, c) < 0) for (int i = 0; i < n; i++) q.data[i * n + c] = -q.data[i * n + c];
        }
        return q;
    }

    public static DMatrixRMaj transpose(DMatrixRMaj a) {
        return CommonOps_DDRM.transpose(a, null);
    }

    /** tr(Δ·H·Δᵀ) for Δ m×n, H n×n symmetric. */
    public static double traceQuad(DMatrixRMaj delta, DMatrixRMaj h) {
        DMatrixRMaj dh = mult(delta, h);
        return dot(dh.data, 0, delta.data, 0, delta.data.length);
    }

    public static double frobSq(DMatrixRMaj a) {
        return dot(a.data, 0, a.data, 0, a.data.length);
    }

    public static String shape(DMatrixRMaj a) {
        return a.numRows + "×" + a.numCols;
    }

    /** Wraps a float row-major matrix into a double matrix. */
    public static DMatrixRMaj fromFloats(float[] w, int rows, int cols) {
        DMatrixRMaj d = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < w.length; i++) d.data[i] = w[i];
        return d;
    }
}
