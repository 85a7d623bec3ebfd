package dev.llmcw.compress.gptq;

import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.compress.quant.UniformGrid;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Parallel;
import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;

/**
 * GPTQ (Frantar et al.), algorithms.md §3.2: dead columns get H[i,i] = 1 and W[:,i] = 0; damping
 * {@code H += damp·mean(diag H)·I}; U = upper Cholesky factor of H⁻¹ (H⁻¹ = UᵀU); columns are quantised
 * in blocks of 128 with {@code err = (w_j − q_j)/U[j,j]}, in-block updates {@code err ⊗ U[j, j+1:]}
 * and lazy updates of later blocks. Optional act-order (columns by decreasing H[i,i]) and groups.
 *
 * <p>Groups: without act-order a group's grid is fitted when its first column is reached, on the
 * partially updated weights (as GPTQ does). With act-order and groups we fit all groups on the original
 * weights up front ("static groups" of the reference code) so groups stay contiguous in the original
 * column order and the file needs no g_idx.
 */
public final class Gptq {
    public static final int BLOCK = 128;

    /** Damping added to diag H, as a fraction of its mean (the GPTQ paper's 1%). */
    public static final double DEFAULT_DAMP = 0.01;

    /**
     * @param perm processing order (null: natural, or act-order if {@code actOrder}); fixedGrid: use this grid as is.
     * @param mseClip shrink each group's min–max range to the least-squared-error factor ({@link UniformGrid#fitClipped})
     */
    public record Options(
            int bits,
            int groupSize,
            boolean symmetric,
            boolean actOrder,
            double damp,
            int[] perm,
            UniformGrid fixedGrid,
            boolean mseClip) {
        /** Plain min–max grids. */
        public Options(
                int bits,
                int groupSize,
                boolean symmetric,
                boolean actOrder,
                double damp,
                int[] perm,
                UniformGrid fixedGrid) {
            this(bits, groupSize, symmetric, actOrder, damp, perm, fixedGrid, false);
        }

        public static Options of(int bits, int groupSize, boolean symmetric) {
            return new Options(bits, groupSize, symmetric, false, DEFAULT_DAMP, null, null);
        }
    }

    /** Codes (row-major, original column order) over {@code grid}. */
    public record Result(int[] codes, UniformGrid grid) {
        public double[] dequantize() {
            int m = grid.rows(), n = grid.cols();
            double[] out = new double[m * n];
            for (int r = 0; r < m; r++) for (int c = 0; c < n; c++) out[r * n + c] = grid.value(r, c, codes[r * n + c]);
            return out;
        }
    }

    private Gptq() {}

    public static Result quantize(double[] w, int m, int n, DMatrixRMaj hIn, Options o, CancellationToken cancel) {
        if (hIn.numRows != n || hIn.numCols != n)
            throw new IllegalArgumentException("H is " + Dense.shape(hIn) + ", expected " + n + "×" + n);
        DMatrixRMaj h = hIn.copy();
        double[] wc = w.clone();
        for (int i = 0; i < n; i++) {
            if (h.get(i, i) == 0) {
                h.set(i, i, 1);
                for (int r = 0; r < m; r++) wc[r * n + i] = 0;
            }
        }
        int gs = o.groupSize() <= 0 ? n : Math.min(o.groupSize(), n);
        UniformGrid grid;
        boolean dynamicGroups = false;
        if (o.fixedGrid() != null) {
            grid = o.fixedGrid();
        } else if (gs == n || o.actOrder() || o.perm() != null) {
            grid = o.mseClip()
                    ? UniformGrid.fitClipped(wc, m, n, o.bits(), gs, o.symmetric())
                    : UniformGrid.fit(wc, m, n, o.bits(), gs, o.symmetric());
        } else {
            grid = UniformGrid.empty(m, n, o.bits(), gs, o.symmetric());
            dynamicGroups = true;
        }
        int[] perm = o.perm();
        if (perm == null) {
            perm = new int[n];
            for (int i = 0; i < n; i++) perm[i] = i;
            if (o.actOrder()) {
                Integer[] idx = new Integer[n];
                for (int i = 0; i < n; i++) idx[i] = i;
                final DMatrixRMaj hh = h;
                Arrays.sort(idx, (a, b) -> Double.compare(hh.get(b, b), hh.get(a, a)));
                for (int i = 0; i < n; i++) perm[i] = idx[i];
            }
        }
        // Permuted H and columns (column-major: wt[p] is the column at position p).
        DMatrixRMaj hp = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) hp.set(i, j, h.get(perm[i], perm[j]));
        double mean = 0;
        for (int i = 0; i < n; i++) mean += hp.get(i, i);
        mean /= n;
        for (int i = 0; i < n; i++) hp.add(i, i, o.damp() * mean);
        DMatrixRMaj hinv = Dense.invertSpd(hp);
        DMatrixRMaj lower = Dense.choleskyLower(hinv);
        double[][] u = new double[n][n]; // u[i][j] = U[i][j] = lower[j][i]
        for (int i = 0; i < n; i++) for (int j = i; j < n; j++) u[i][j] = lower.get(j, i);

        double[][] wt = new double[n][m];
        for (int r = 0; r < m; r++) for (int p = 0; p < n; p++) wt[p][r] = wc[r * n + perm[p]];
        int[] codes = new int[m * n];
        final int[] fperm = perm;
        for (int i1 = 0; i1 < n; i1 += BLOCK) {
            if (cancel != null) cancel.throwIfCancelled();
            int i2 = Math.min(n, i1 + BLOCK);
            double[][] err = new double[i2 - i1][];
            for (int i = i1; i < i2; i++) {
                final int col = fperm[i];
                if (dynamicGroups && col % gs == 0) {
                    int count = Math.min(gs, n - col);
                    double[][] cols = new double[count][];
                    for (int c = 0; c < count; c++) cols[c] = wt[i + c];
                    if (o.mseClip()) grid.fitGroupFromColumnsClipped(cols, col, count);
                    else grid.fitGroupFromColumns(cols, col, count);
                }
                double d = u[i][i];
                double[] wi = wt[i];
                double[] e = new double[m];
                for (int r = 0; r < m; r++) {
                    int q = grid.code(r, col, wi[r]);
                    codes[r * n + col] = q;
                    e[r] = (wi[r] - grid.value(r, col, q)) / d;
                }
                err[i - i1] = e;
                final int fi = i;
                Parallel.forRange(i + 1, i2, 8, j -> Dense.axpy(-u[fi][j], e, 0, wt[j], 0, m));
            }
            final int b1 = i1, b2 = i2;
            Parallel.forRange(i2, n, 1, j -> {
                for (int i = b1; i < b2; i++) {
                    double c = u[i][j];
                    if (c != 0) Dense.axpy(-c, err[i - b1], 0, wt[j], 0, m);
                }
            });
        }
        return new Result(codes, grid);
    }
}
