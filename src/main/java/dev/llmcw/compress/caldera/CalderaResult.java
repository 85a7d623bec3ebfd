package dev.llmcw.compress.caldera;

import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.compress.linalg.RandomizedHadamard;
import dev.llmcw.compress.quant.BlockQuantizer;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * One decomposed matrix: Ŵ = g · T_mᵀ·(Q + L·R)·T_n. {@code q}, {@code l}, {@code r} are the
 * reconstructions of the stored codes in the rotated, RMS-normalised domain.
 *
 * @param activationError sqrt(tr(ΔHΔᵀ)/tr(WHWᵀ)) of the kept iterate (relative, activation-aware)
 * @param frobeniusError  ‖Ŵ − W‖_F/‖W‖_F
 * @param history         activation error after each outer iteration
 */
public record CalderaResult(
        String name,
        int rows,
        int cols,
        CalderaOptions options,
        double scale,
        boolean hadamard,
        DMatrixRMaj q,
        BlockQuantizer qQuant,
        BlockQuantizer lQuant,
        BlockQuantizer rQuant,
        DMatrixRMaj l,
        DMatrixRMaj r,
        double activationError,
        double frobeniusError,
        int bestIteration,
        List<Double> history,
        double seconds) {

    /** Q + L·R in the rotated, normalised domain. */
    public DMatrixRMaj rotatedApproximation() {
        DMatrixRMaj a = q.copy();
        if (l != null) CommonOps_DDRM.addEquals(a, Dense.mult(l, r));
        return a;
    }

    /** Ŵ in the original domain (row-major m×n). */
    public double[] decode() {
        DMatrixRMaj a = rotatedApproximation();
        if (hadamard) {
            RandomizedHadamard.unrotateWeight(
                    a, Caldera.transform(options.seed(), rows), Caldera.transform(options.seed(), cols));
        }
        CommonOps_DDRM.scale(scale, a);
        return a.data;
    }

    /** Which quantisers produced Q and the factors, e.g. "Q=e8p12, LR=e8p12-rvq4". */
    public String quantizerLabel() {
        return "Q=" + qQuant.label() + (lQuant == null ? "" : ", LR=" + lQuant.label());
    }
}
