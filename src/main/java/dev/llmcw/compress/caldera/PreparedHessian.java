package dev.llmcw.compress.caldera;

import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.compress.linalg.RandomizedHadamard;
import dev.llmcw.compress.quant.Ldlq;
import java.util.concurrent.ConcurrentHashMap;
import org.ejml.data.DMatrixRMaj;

/**
 * A regularised proxy Hessian in the (optionally) rotated domain, with its Cholesky factor and inverse:
 * computed once per input group ({q,k,v}, o, {gate,up}, down) and shared by the group's matrices,
 * together with the block LDL factors LDLQ needs (one per block size, made on first use), so no
 * H-derived factorisation is repeated per matrix or per outer iteration.
 *
 * <p>Deviation (documented): the LPLR closed form uses the Cholesky factor C (H = C·Cᵀ) as the square
 * root of H instead of V·Λ^{1/2} from an eigendecomposition. Any square root S with S·Sᵀ = H gives
 * the same optimum {@code L·R = [A·S]_k·S⁻¹}; Cholesky costs n³/3 instead of ~9n³.
 */
public final class PreparedHessian {
    final DMatrixRMaj h; // rotated H
    final DMatrixRMaj chol; // lower C, H = C Cᵀ
    final RandomizedHadamard transform; // null without Hadamard
    private final ConcurrentHashMap<Integer, Ldlq.Factor> ldl = new ConcurrentHashMap<>();

    public PreparedHessian(DMatrixRMaj regularisedH, RandomizedHadamard transform) {
        DMatrixRMaj h = regularisedH.copy();
        if (transform != null) RandomizedHadamard.rotateWeight(h, transform, transform);
        // Symmetrise: rotation in floating point leaves ~1e-16 asymmetry.
        int n = h.numRows;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) {
                double v = 0.5 * (h.get(i, j) + h.get(j, i));
                h.set(i, j, v);
                h.set(j, i, v);
            }
        this.h = h;
        this.transform = transform;
        this.chol = Dense.choleskyLower(h);
    }

    public int size() {
        return h.numRows;
    }

    /** LDLQ's block LDL factor for blocks of {@code bs} columns (computed once from the Cholesky factor). */
    public Ldlq.Factor ldl(int bs) {
        return ldl.computeIfAbsent(bs, b -> Ldlq.factorFromCholesky(chol, b));
    }

    public DMatrixRMaj rotated() {
        return h;
    }
}
