package dev.llmcw.compress.caldera;

import dev.llmcw.compress.linalg.Dense;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;

/**
 * The official CALDERA code's {@code Q_hessian_downdate} ({@code update_Q_data_aware} in
 * {@code src/caldera/decomposition/alg.py} of pilancilab/caldera): before LDLQ quantises the residual
 * W − L·R, the directions of the input space that L·R already reproduces are taken out of H, so LDLQ spends
 * its error feedback on the others. With H = M·Mᵀ (M lower Cholesky) and V the top-k right singular vectors
 * of L·R·M, {@code H' = H − M·V·Vᵀ·Mᵀ}; H' is positive semidefinite of rank n − k, so it is made definite
 * as the official code does: {@code H' += (σ + max(−λ_min(H'), 0))·I}, then {@code H' += σ·|mean diag H'|·I},
 * σ = 0.01 (QuIP#'s {@code sigma_reg2}).
 */
final class HessianDowndate {
    /** The official {@code quip_args.sigma_reg2}. */
    static final double SIGMA = 0.01;

    /** Randomised SVD power iterations, as the LR step's. */
    private static final int POWER_ITERS = 4;

    private HessianDowndate() {}

    /**
     * @param lrProduct L·R (m×n) in the domain of {@code ph}
     * @param exact     full SVD (the official code with {@code rand_svd false}) instead of the randomised top-k
     */
    static DMatrixRMaj apply(PreparedHessian ph, DMatrixRMaj lrProduct, int rank, boolean exact, long seed) {
        DMatrixRMaj m = ph.chol;
        int n = m.numRows;
        int k = Math.min(rank, Math.min(lrProduct.numRows, n));
        DMatrixRMaj v = Dense.topK(Dense.multLower(lrProduct, m), k, exact, POWER_ITERS, seed)
                .v(); // n×k
        DMatrixRMaj mv = Dense.mult(m, v);
        DMatrixRMaj h = ph.h.copy();
        DMatrixRMaj covered = Dense.multTransB(mv, mv);
        for (int i = 0; i < h.data.length; i++) h.data[i] -= covered.data[i];
        addToDiagonal(h, SIGMA + Math.max(-minEigenvalue(h), 0));
        double meanDiag = 0;
        for (int i = 0; i < n; i++) meanDiag += h.get(i, i);
        addToDiagonal(h, Math.abs(meanDiag / n) * SIGMA);
        return h;
    }

    private static void addToDiagonal(DMatrixRMaj h, double v) {
        for (int i = 0; i < h.numRows; i++) h.add(i, i, v);
    }

    /** Smallest eigenvalue of a symmetric matrix (no eigenvectors). */
    static double minEigenvalue(DMatrixRMaj h) {
        int n = h.numRows;
        var eig = DecompositionFactory_DDRM.eig(n, false, true);
        if (!eig.decompose(h.copy()))
            throw new IllegalStateException("eigenvalues of the downdated Hessian failed, n=" + n);
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) min = Math.min(min, eig.getEigenvalue(i).real);
        return min;
    }
}
