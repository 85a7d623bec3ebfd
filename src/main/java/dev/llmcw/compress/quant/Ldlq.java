package dev.llmcw.compress.quant;

import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.engine.Parallel;
import dev.llmcw.util.CancellationToken;
import org.ejml.data.DMatrixRMaj;

/**
 * LDLQ (QuIP, algorithms.md §3.3): with the block LDL factorisation H = L·D·Lᵀ (unit lower-triangular
 * L, diagonal blocks of the quantiser's block size g), columns are quantised from the last block to the
 * first as {@code Ŵ_k = Quant(W_k + Σ_{j>k} (W_j − Ŵ_j)·L_{j,k})}. The block LDL comes from the
 * Cholesky factor C (H = C·Cᵀ) as {@code L_{:,k} = C_{:,k}·C_{kk}⁻¹}, all in double. Error feedback is
 * applied lazily in super-blocks of 128 columns (the GPTQ trick) so the inner loop stays in cache.
 */
public final class Ldlq {
    private static final int SUPER_BLOCK = 128;

    private Ldlq() {}

    /**
     * @param w  m×n weights (row-major, not modified)
     * @param h  n×n symmetric positive-definite proxy Hessian
     * @return the quantised m×n matrix; codes are kept by {@code quantizer}
     */
    public static double[] quantize(double[] w, int m, int n, DMatrixRMaj h, BlockQuantizer quantizer, CancellationToken cancel) {
        int bs = quantizer.blockSize();
        if (n % bs != 0) throw new IllegalArgumentException("LDLQ block size " + bs + " does not divide " + n + " columns");
        if (h.numRows != n || h.numCols != n) throw new IllegalArgumentException("H is " + Dense.shape(h) + ", expected " + n + "×" + n);
        double[][] lt = unitLowerTransposed(h, bs); // lt[c][i] = L[i][c]
        double[][] wt = new double[n][m], et = new double[n][m], acc = new double[n][m], qt = new double[n][m];
        for (int r = 0; r < m; r++) for (int c = 0; c < n; c++) wt[c][r] = w[r * n + c];

        int sbEnd = n;
        while (sbEnd > 0) {
            if (cancel != null) cancel.throwIfCancelled();
            int sbStart = Math.max(0, sbEnd - SUPER_BLOCK);
            sbStart -= sbStart % bs;
            for (int j = sbEnd - bs; j >= sbStart; j -= bs) {
                final int col = j;
                Parallel.forRange(0, m, 64, r -> {
                    double[] buf = new double[bs];
                    for (int i = 0; i < bs; i++) buf[i] = wt[col + i][r] + acc[col + i][r];
                    quantizer.quantize(r, col, buf, 0);
                    for (int i = 0; i < bs; i++) {
                        qt[col + i][r] = buf[i];
                        et[col + i][r] = wt[col + i][r] - buf[i];
                    }
                });
                final int from = sbStart;
                Parallel.forRange(from, col, 4, c -> {
                    for (int i = col; i < col + bs; i++) {
                        double l = lt[c][i];
                        if (l != 0) Dense.axpy(l, et[i], 0, acc[c], 0, m);
                    }
                });
            }
            final int s0 = sbStart, s1 = sbEnd;
            Parallel.forRange(0, s0, 1, c -> {
                for (int i = s0; i < s1; i++) {
                    double l = lt[c][i];
                    if (l != 0) Dense.axpy(l, et[i], 0, acc[c], 0, m);
                }
            });
            sbEnd = sbStart;
        }
        double[] out = new double[m * n];
        for (int r = 0; r < m; r++) for (int c = 0; c < n; c++) out[r * n + c] = qt[c][r];
        return out;
    }

    /** Lᵀ of the block LDL factorisation, as rows: result[c][i] = L[i][c] (zero for i in c's block). */
    static double[][] unitLowerTransposed(DMatrixRMaj h, int bs) {
        int n = h.numRows;
        DMatrixRMaj c = Dense.choleskyLower(h);
        double[][] lt = new double[n][n];
        for (int k = 0; k < n; k += bs) {
            // Inverse of the diagonal block C_kk (lower triangular bs×bs) by forward substitution.
            double[][] inv = new double[bs][bs];
            for (int col = 0; col < bs; col++) {
                for (int row = 0; row < bs; row++) {
                    double s = row == col ? 1 : 0;
                    for (int t = 0; t < row; t++) s -= c.get(k + row, k + t) * inv[t][col];
                    inv[row][col] = s / c.get(k + row, k + row);
                }
            }
            for (int i = k + bs; i < n; i++) {
                for (int b = 0; b < bs; b++) {
                    double s = 0;
                    for (int t = 0; t < bs; t++) s += c.get(i, k + t) * inv[t][b];
                    lt[k + b][i] = s;
                }
            }
        }
        return lt;
    }
}
