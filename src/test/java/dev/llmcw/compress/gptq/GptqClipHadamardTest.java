package dev.llmcw.compress.gptq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.llmcw.compress.quant.WeightRotation;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** GPTQ with CALDERA's tools: MSE-clipped grids, and the Hadamard rotation with H rotated alike. */
class GptqClipHadamardTest {
    private static final int M = 32, N = 64;

    @Test
    void mseClippedGroupsLowerTheProxyLoss() {
        DMatrixRMaj h = LdlqGptqTest.correlatedH(N, 4 * N, 3);
        double[] w = LdlqGptqTest.randomW(M, N, 4);
        double plain = LdlqGptqTest.hErr(
                w,
                Gptq.quantize(w, M, N, h, new Gptq.Options(2, 16, false, false, Gptq.DEFAULT_DAMP, null, null), null)
                        .dequantize(),
                M,
                N,
                h);
        double mse = LdlqGptqTest.hErr(
                w,
                Gptq.quantize(
                                w,
                                M,
                                N,
                                h,
                                new Gptq.Options(2, 16, false, false, Gptq.DEFAULT_DAMP, null, null, true),
                                null)
                        .dequantize(),
                M,
                N,
                h);
        assertThat(mse).isLessThan(plain);
    }

    @Test
    void rotatingWAndHTogetherKeepsTheObjective() {
        DMatrixRMaj h = LdlqGptqTest.correlatedH(N, 4 * N, 5);
        double[] w = LdlqGptqTest.randomW(M, N, 6);
        var rot = WeightRotation.of(WeightRotation.DEFAULT_SEED, M, N);
        double[] wr = w.clone();
        rot.rotate(wr);
        DMatrixRMaj hr = rot.rotateInputs(h);
        // tr(W H Wᵀ) is invariant: (T_m W T_nᵀ)(T_n H T_nᵀ)(T_m W T_nᵀ)ᵀ = T_m (W H Wᵀ) T_mᵀ
        assertThat(LdlqGptqTest.hErr(wr, new double[w.length], M, N, hr))
                .isCloseTo(LdlqGptqTest.hErr(w, new double[w.length], M, N, h), offset(1e-8));
        double[] q =
                Gptq.quantize(wr, M, N, hr, Gptq.Options.of(2, 16, false), null).dequantize();
        rot.unrotate(q);
        double[] back = wr.clone();
        rot.unrotate(back);
        for (int i = 0; i < w.length; i++) assertThat(back[i]).isCloseTo(w[i], offset(1e-12));
        // the rotated solution, brought back, is a valid approximation of W in the original H-norm
        double err = LdlqGptqTest.hErr(w, q, M, N, h) / LdlqGptqTest.hErr(w, new double[w.length], M, N, h);
        assertThat(err).isBetween(0.0, 0.5);
    }
}
