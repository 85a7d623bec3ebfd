package dev.llmcw.compress.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.llmcw.compress.linalg.Dense;
import java.util.Random;
import org.assertj.core.api.Assertions;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** The proxy loss LDLQ returns (Σ_k ‖η_k·C_kk‖²) equals tr((Ŵ−W)·H·(Ŵ−W)ᵀ) computed directly. */
class LdlqLossTest {
    static double[] gaussian(int size, long seed) {
        Random r = new Random(seed);
        double[] w = new double[size];
        for (int i = 0; i < size; i++) w[i] = r.nextGaussian();
        return w;
    }

    @Test
    void scalarLossEqualsTheDirectTraceOverSeveralSuperBlocks() {
        int m = 23, n = 300; // n spans three super-blocks of 128, m not a multiple of the vector width
        double[] w = gaussian(m * n, 1);
        DMatrixRMaj h = LdlqLatticeTest.correlatedH(n); // 200 samples: rank-deficient for n = 300
        for (int i = 0; i < n; i++) h.add(i, i, 1);
        var q = new ScalarBlockQuantizer(UniformGrid.fit(w, m, n, 2, 0, false));
        var factor = Ldlq.factor(h, 1);
        Ldlq.Result r = Ldlq.quantize(w, m, n, factor, q, null);
        double direct = LdlqLatticeTest.err(w, r.q(), m, n, h);
        assertThat(r.loss()).isCloseTo(direct, offset(1e-9 * direct));
        // Same matrix as the factor-less entry point (which factorises H itself).
        double[] again =
                Ldlq.quantize(w, m, n, h, new ScalarBlockQuantizer(UniformGrid.fit(w, m, n, 2, 0, false)), null);
        assertThat(again).containsExactly(r.q(), offset(0.0));
    }

    @Test
    void e8pBlockLossEqualsTheDirectTrace() {
        int m = 12, n = 256;
        double[] w = gaussian(m * n, 2);
        DMatrixRMaj h = LdlqLatticeTest.correlatedH(n);
        for (int i = 0; i < n; i++) h.add(i, i, 1);
        var q = E8PQuantizer.forMatrix(w, m, n, 1);
        Ldlq.Result r = Ldlq.quantize(w, m, n, Ldlq.factor(h, 8), q, null);
        double direct = LdlqLatticeTest.err(w, r.q(), m, n, h);
        assertThat(r.loss()).isCloseTo(direct, offset(1e-9 * direct));
    }

    @Test
    void factorOfTheWrongBlockSizeIsRejected() {
        DMatrixRMaj h = Dense.multTransA(
                DMatrixRMaj.wrap(20, 16, gaussian(320, 3)), DMatrixRMaj.wrap(20, 16, gaussian(320, 3)));
        var f = Ldlq.factor(h, 1);
        double[] w = gaussian(4 * 16, 4);
        Assertions.assertThatThrownBy(() -> Ldlq.quantize(w, 4, 16, f, E8PQuantizer.forMatrix(w, 4, 16, 1), null))
                .hasMessageContaining("block");
    }
}
