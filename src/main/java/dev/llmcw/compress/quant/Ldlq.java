package dev.llmcw.compress.quant;

import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.compress.linalg.StridedMatrix;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Parallel;
import org.ejml.data.DMatrixRMaj;

/**
 * LDLQ (QuIP, algorithms.md §3.3): with the block LDL factorisation H = L·D·Lᵀ (unit lower-triangular
 * L, diagonal blocks of the quantiser's block size g), columns are quantised from the last block to the
 * first as {@code Ŵ_k = Quant(W_k + Σ_{j>k} (W_j − Ŵ_j)·L_{j,k})}. The block LDL comes from the
 * Cholesky factor C (H = C·Cᵀ) as {@code L_{:,k} = C_{:,k}·C_{kk}⁻¹}, {@code D_k = C_kk·C_kkᵀ}, all in
 * double. Error feedback is applied lazily in super-blocks of 128 columns (the GPTQ trick): inside a
 * super-block column by column, to the columns before it as one blocked matrix product.
 *
 * <p>The factorisation depends only on H and g, so callers that quantise several matrices (or several
 * CALDERA iterations) against one H compute it once ({@link #factor}) and pass it in.
 *
 * <p>The proxy loss comes for free: with η_k the rounding error of block k ({@code Ŵ_k − (W_k + feedback)}),
 * the recursion reads {@code (Ŵ − W)·L = η}, so {@code tr((Ŵ−W)·H·(Ŵ−W)ᵀ) = tr(η·D·ηᵀ) = Σ_k ‖η_k·C_kk‖²},
 * O(m·n·g) instead of the O(m·n²) product.
 */
public final class Ldlq {
    private static final int SUPER_BLOCK = 128;

    private Ldlq() {}

    /** Block LDL factor of one H for block size {@code bs}: Lᵀ flat (lt[c·n + i] = L[i][c]) and C's diagonal blocks. */
    public static final class Factor {
        final int n, bs;
        final double[] lt; // n×n, lt[c*n + i] = L[i][c], zero unless i is in a later block than c
        final double[] diagChol; // n×bs: row i holds C[i][k..k+bs) of i's block k (lower-triangular block)

        private Factor(int n, int bs, double[] lt, double[] diagChol) {
            this.n = n;
            this.bs = bs;
            this.lt = lt;
            this.diagChol = diagChol;
        }

        public int size() {
            return n;
        }

        public int blockSize() {
            return bs;
        }
    }

    /** Quantised matrix and its proxy loss tr((Ŵ−W)·H·(Ŵ−W)ᵀ). */
    public record Result(double[] q, double loss) {}

    /** Factorises H (Cholesky first) for blocks of {@code bs}. */
    public static Factor factor(DMatrixRMaj h, int bs) {
        return factorFromCholesky(Dense.choleskyLower(h), bs);
    }

    /** Block LDL from the lower Cholesky factor C of H (strict upper part zero). */
    public static Factor factorFromCholesky(DMatrixRMaj c, int bs) {
        int n = c.numRows;
        if (n % bs != 0)
            throw new IllegalArgumentException("LDLQ block size " + bs + " does not divide " + n + " columns");
        double[] C = c.data;
        double[] lt = new double[n * n];
        double[] diag = new double[n * bs];
        for (int k = 0; k < n; k += bs) {
            // Inverse of the diagonal block C_kk (lower triangular bs×bs) by forward substitution.
            double[][] inv = new double[bs][bs];
            for (int col = 0; col < bs; col++) {
                for (int row = 0; row < bs; row++) {
                    double s = row == col ? 1 : 0;
                    for (int t = 0; t < row; t++) s -= C[(k + row) * n + k + t] * inv[t][col];
                    inv[row][col] = s / C[(k + row) * n + k + row];
                }
            }
            for (int r = 0; r < bs; r++) System.arraycopy(C, (k + r) * n + k, diag, (k + r) * bs, bs);
            final int kk = k;
            Parallel.forRange(k + bs, n, 64, i -> {
                for (int b = 0; b < bs; b++) {
                    double s = 0;
                    for (int t = 0; t < bs; t++) s += C[i * n + kk + t] * inv[t][b];
                    lt[(kk + b) * n + i] = s;
                }
            });
        }
        return new Factor(n, bs, lt, diag);
    }

    /**
     * @param w  m×n weights (row-major, not modified)
     * @param h  n×n symmetric positive-definite proxy Hessian
     * @return the quantised m×n matrix; codes are kept by {@code quantizer}
     */
    public static double[] quantize(
            double[] w, int m, int n, DMatrixRMaj h, BlockQuantizer quantizer, CancellationToken cancel) {
        if (h.numRows != n || h.numCols != n)
            throw new IllegalArgumentException("H is " + Dense.shape(h) + ", expected " + n + "×" + n);
        return quantize(w, m, n, factor(h, quantizer.blockSize()), quantizer, cancel)
                .q();
    }

    /** LDLQ with a precomputed factor; also returns the proxy loss (see the class comment). */
    public static Result quantize(
            double[] w, int m, int n, Factor f, BlockQuantizer quantizer, CancellationToken cancel) {
        int bs = quantizer.blockSize();
        if (f.bs != bs)
            throw new IllegalArgumentException(
                    "LDLQ factor for blocks of " + f.bs + " used with a quantiser of block " + bs);
        if (f.n != n) throw new IllegalArgumentException("H is " + f.n + "×" + f.n + ", expected " + n + "×" + n);
        double[] lt = f.lt;
        // Column-major working copies: column c of the matrix is [c*m, (c+1)*m).
        double[] wt = new double[n * m], et = new double[n * m], acc = new double[n * m], qt = new double[n * m];
        for (int r = 0; r < m; r++) for (int c = 0; c < n; c++) wt[c * m + r] = w[r * n + c];

        int sbEnd = n;
        while (sbEnd > 0) {
            if (cancel != null) cancel.throwIfCancelled();
            int sbStart = Math.max(0, sbEnd - SUPER_BLOCK);
            sbStart -= sbStart % bs;
            for (int j = sbEnd - bs; j >= sbStart; j -= bs) {
                final int col = j;
                Parallel.forRange(0, m, 64, r -> {
                    double[] buf = new double[bs];
                    for (int i = 0; i < bs; i++) buf[i] = wt[(col + i) * m + r] + acc[(col + i) * m + r];
                    quantizer.quantize(r, col, buf, 0);
                    for (int i = 0; i < bs; i++) {
                        qt[(col + i) * m + r] = buf[i];
                        et[(col + i) * m + r] = wt[(col + i) * m + r] - buf[i];
                    }
                });
                final int from = sbStart;
                Parallel.forRange(from, col, 4, c -> {
                    for (int i = col; i < col + bs; i++) {
                        double l = lt[c * n + i];
                        if (l != 0) Dense.axpy(l, et, i * m, acc, c * m, m);
                    }
                });
            }
            // acc[c] += Σ_{i in super-block} L[i][c]·e_i for every earlier column c: one product
            // (s0 × width)·(width × m), summed in ascending i as the column-by-column form.
            final int s0 = sbStart, width = sbEnd - sbStart;
            int rowBlocks = (s0 + 15) / 16;
            Parallel.forRange(0, rowBlocks, 1, rb -> {
                int c0 = rb * 16, rows = Math.min(s0, c0 + 16) - c0;
                for (int j0 = 0; j0 < m; j0 += 512) {
                    int cols = Math.min(512, m - j0);
                    Dense.gemmAcc(
                            rows,
                            cols,
                            width,
                            StridedMatrix.rows(lt, c0 * n + s0, n),
                            StridedMatrix.rows(et, s0 * m + j0, m),
                            StridedMatrix.rows(acc, c0 * m + j0, m));
                }
            });
            sbEnd = sbStart;
        }
        // Proxy loss Σ_k ‖η_k·C_kk‖² with η = Ŵ − (W + feedback); acc[c] is final once column c is quantised.
        double[] diag = f.diagChol;
        double[] rowLoss = new double[m];
        Parallel.forRange(0, m, 32, r -> {
            double s = 0;
            double[] eta = new double[bs];
            for (int k = 0; k < n; k += bs) {
                for (int i = 0; i < bs; i++) {
                    int ix = (k + i) * m + r;
                    eta[i] = qt[ix] - (wt[ix] + acc[ix]);
                }
                for (int b = 0; b < bs; b++) {
                    double v = 0;
                    for (int t = b; t < bs; t++) v += eta[t] * diag[(k + t) * bs + b];
                    s += v * v;
                }
            }
            rowLoss[r] = s;
        });
        double loss = 0;
        for (double v : rowLoss) loss += v;
        double[] out = new double[m * n];
        for (int r = 0; r < m; r++) for (int c = 0; c < n; c++) out[r * n + c] = qt[c * m + r];
        return new Result(out, loss);
    }
}
