package dev.llmcw.compress.caldera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.compress.quant.Ldlq;
import dev.llmcw.compress.quant.ScalarBlockQuantizer;
import dev.llmcw.compress.quant.UniformGrid;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Json;
import java.io.InputStream;
import java.util.Random;
import org.assertj.core.api.Assertions;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class CalderaTest {
    static DMatrixRMaj randomMatrix(int m, int n, long seed) {
        DMatrixRMaj a = new DMatrixRMaj(m, n);
        Random r = new Random(seed);
        for (int i = 0; i < a.data.length; i++) a.data[i] = r.nextGaussian();
        return a;
    }

    /** Regularised correlated H like calibration produces: mean-diag normalised, +0.01 I. */
    static DMatrixRMaj hessian(int n, long seed) {
        DMatrixRMaj x = randomMatrix(3 * n, n, seed);
        DMatrixRMaj mix = randomMatrix(n, n, seed + 1);
        CommonOps_DDRM.scale(0.4, mix);
        for (int i = 0; i < n; i++) mix.add(i, i, 1);
        DMatrixRMaj xm = Dense.mult(x, mix);
        DMatrixRMaj h = Dense.multTransA(xm, xm);
        double mean = 0;
        for (int i = 0; i < n; i++) mean += h.get(i, i) / n;
        CommonOps_DDRM.scale(1 / mean, h);
        for (int i = 0; i < n; i++) h.add(i, i, 0.01);
        return h;
    }

    static double hNorm(DMatrixRMaj d, DMatrixRMaj h) {
        return Dense.traceQuad(d, h);
    }

    static CalderaOptions opts(int q, int lr, int rank, int outer, int inner, boolean had) {
        return new CalderaOptions(
                q,
                lr,
                rank,
                outer,
                inner,
                had,
                "scalar",
                7,
                true,
                CalderaOptions.ROW,
                0,
                false,
                CalderaOptions.LR_FIRST);
    }

    @Test
    void lplrClosedFormIsTheBestRankKInTheHNorm() {
        int m = 20, n = 24, k = 4;
        DMatrixRMaj a = randomMatrix(m, n, 1), h = hessian(n, 2);
        var ph = new PreparedHessian(h, null);
        DMatrixRMaj[] lr = Caldera.lplrClosedForm(a, ph, k, true, 0);
        DMatrixRMaj product = Dense.mult(lr[0], lr[1]);
        // Independent: symmetric square root from the eigendecomposition, whitened SVD, un-whiten.
        var eig = Dense.symEig(h);
        DMatrixRMaj sq = new DMatrixRMaj(n, n), isq = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            sq.set(i, i, Math.sqrt(eig.values()[i]));
            isq.set(i, i, 1 / Math.sqrt(eig.values()[i]));
        }
        DMatrixRMaj hs = Dense.multTransB(Dense.mult(eig.vectors(), sq), eig.vectors());
        DMatrixRMaj his = Dense.multTransB(Dense.mult(eig.vectors(), isq), eig.vectors());
        var svd = Dense.svd(Dense.mult(a, hs));
        DMatrixRMaj best = new DMatrixRMaj(m, n);
        for (int i = 0; i < k; i++)
            for (int r = 0; r < m; r++)
                for (int c = 0; c < n; c++) {
                    best.add(r, c, svd.u().get(r, i) * svd.s()[i] * svd.v().get(c, i));
                }
        best = Dense.mult(best, his);
        for (int i = 0; i < best.data.length; i++) assertThat(product.data[i]).isCloseTo(best.data[i], offset(1e-9));
        double opt = hNorm(diff(a, product), h);
        Random rnd = new Random(3);
        for (int t = 0; t < 20; t++) {
            DMatrixRMaj l = lr[0].copy(), r = lr[1].copy();
            for (int i = 0; i < l.data.length; i++) l.data[i] += 0.01 * rnd.nextGaussian();
            for (int i = 0; i < r.data.length; i++) r.data[i] += 0.01 * rnd.nextGaussian();
            assertThat(hNorm(diff(a, Dense.mult(l, r)), h)).isGreaterThan(opt);
        }
    }

    @Test
    void matchesNumpyReference() throws Exception {
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream("/golden/caldera/caldera_ref.json")) {
            ref = Json.MAPPER.readTree(in);
        }
        int m = ref.get("m").asInt(),
                n = ref.get("n").asInt(),
                k = ref.get("k").asInt(),
                bits = ref.get("bits").asInt();
        double[] w = doubles(ref.get("W")), hd = doubles(ref.get("H"));
        DMatrixRMaj h = DMatrixRMaj.wrap(n, n, hd);
        DMatrixRMaj a = DMatrixRMaj.wrap(m, n, w.clone());
        var ph = new PreparedHessian(h, null);
        DMatrixRMaj[] lr = Caldera.lplrClosedForm(a, ph, k, true, 0);
        assertThat(Dense.mult(lr[0], lr[1]).data).containsExactly(doubles(ref.get("lplr_product")), offset(1e-6));
        double[] ldlq =
                Ldlq.quantize(w, m, n, h, new ScalarBlockQuantizer(UniformGrid.fit(w, m, n, bits, 0, false)), null);
        assertThat(ldlq).containsExactly(doubles(ref.get("ldlq")), offset(1e-6));
        var res = Caldera.decompose(
                w, m, n, ph, opts(bits, 32, k, ref.get("outer").asInt(), 0, false), "ref", null, null);
        double[] hist = doubles(ref.get("caldera_history"));
        assertThat(res.history().stream().mapToDouble(Double::doubleValue).toArray())
                .containsExactly(hist, offset(1e-6));
        assertThat(res.decode()).containsExactly(doubles(ref.get("caldera_w_hat")), offset(1e-6));
    }

    @Test
    void outerLoopKeepsTheBestIterate() {
        int m = 32, n = 48;
        double[] w = randomMatrix(m, n, 4).data;
        var o = opts(2, 3, 4, 6, 3, true);
        var res = Caldera.decompose(w, m, n, Caldera.prepare(hessian(n, 5), o), o, "w", null, null);
        assertThat(res.history()).hasSize(6);
        double min =
                res.history().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertThat(res.activationError())
                .isEqualTo(min)
                .isLessThanOrEqualTo(res.history().get(0));
        // The reported error is the error of what decode() returns.
        DMatrixRMaj d = diff(DMatrixRMaj.wrap(m, n, res.decode()), DMatrixRMaj.wrap(m, n, w));
        DMatrixRMaj h = hessian(n, 5);
        double rel = Math.sqrt(hNorm(d, h) / hNorm(DMatrixRMaj.wrap(m, n, w), h));
        assertThat(rel).isCloseTo(res.activationError(), offset(1e-9));
    }

    @Test
    void identityHessianWithFloatFactorsIsTruncatedSvdPlusRoundedResidual() {
        int m = 16, n = 24, k = 3, bits = 3;
        double[] w = randomMatrix(m, n, 6).data;
        DMatrixRMaj eye = CommonOps_DDRM.identity(n);
        var res = Caldera.decompose(
                w, m, n, new PreparedHessian(eye, null), opts(bits, 32, k, 1, 0, false), "w", null, null);
        double g = res.scale();
        DMatrixRMaj ws = DMatrixRMaj.wrap(m, n, w.clone());
        CommonOps_DDRM.scale(1 / g, ws);
        var svd = Dense.svd(ws);
        DMatrixRMaj lr = new DMatrixRMaj(m, n);
        for (int i = 0; i < k; i++)
            for (int r = 0; r < m; r++)
                for (int c = 0; c < n; c++) {
                    lr.add(r, c, svd.u().get(r, i) * svd.s()[i] * svd.v().get(c, i));
                }
        DMatrixRMaj resid = diff(ws, lr);
        // LDLQ with H = I is plain rounding (on CALDERA's clipped per-row grid).
        double[] q = new ScalarBlockQuantizer(UniformGrid.fitClipped(resid.data, m, n, bits, 0, false))
                .quantizeAll(resid.data, m, n);
        double[] got = res.decode();
        for (int i = 0; i < w.length; i++) assertThat(got[i] / g).isCloseTo(lr.data[i] + q[i], offset(1e-5));
    }

    @Test
    void rankZeroIsLdlq() {
        int m = 12, n = 32, bits = 2;
        double[] w = randomMatrix(m, n, 8).data;
        DMatrixRMaj h = hessian(n, 9);
        var res = Caldera.decompose(
                w, m, n, new PreparedHessian(h, null), opts(bits, 4, 0, 5, 5, false), "w", null, null);
        double g = res.scale();
        double[] ws = w.clone();
        for (int i = 0; i < ws.length; i++) ws[i] /= g;
        double[] ldlq = Ldlq.quantize(
                ws, m, n, h, new ScalarBlockQuantizer(UniformGrid.fitClipped(ws, m, n, bits, 0, false)), null);
        double[] got = res.decode();
        for (int i = 0; i < w.length; i++) assertThat(got[i]).isCloseTo(g * ldlq[i], offset(1e-12));
    }

    @Test
    void hadamardDomainIsRecoveredExactly() {
        int m = 24, n = 40;
        double[] w = randomMatrix(m, n, 10).data;
        DMatrixRMaj h = hessian(n, 11);
        var o = opts(8, 8, 4, 2, 2, true);
        var res = Caldera.decompose(w, m, n, Caldera.prepare(h, o), o, "w", null, null);
        // decode() = g·T_mᵀ·(Q+LR)·T_n computed with dense transform matrices.
        DMatrixRMaj tm = Caldera.transform(o.seed(), m).matrix(),
                tn = Caldera.transform(o.seed(), n).matrix();
        DMatrixRMaj expect = Dense.mult(Dense.multTransA(tm, res.rotatedApproximation()), tn);
        CommonOps_DDRM.scale(res.scale(), expect);
        assertThat(res.decode()).containsExactly(expect.data, offset(1e-12));
        assertThat(res.frobeniusError()).isLessThan(0.02); // 8-bit everything: close to W
    }

    @Test
    void lowRankFactorsHelpAtTwoBits() {
        int m = 48, n = 64;
        DMatrixRMaj w0 = randomMatrix(m, n, 12);
        // Weights with a strong low-rank component, as in real layers.
        DMatrixRMaj lowRank = Dense.mult(randomMatrix(m, 4, 13), randomMatrix(4, n, 14));
        CommonOps_DDRM.addEquals(w0, lowRank);
        DMatrixRMaj h = hessian(n, 15);
        var o0 = opts(2, 4, 0, 1, 0, true);
        var o8 = opts(2, 4, 8, 5, 5, true);
        var r0 = Caldera.decompose(w0.data, m, n, Caldera.prepare(h, o0), o0, "w", null, null);
        var r8 = Caldera.decompose(w0.data, m, n, Caldera.prepare(h, o8), o8, "w", null, null);
        assertThat(r8.activationError()).isLessThan(0.7 * r0.activationError());
    }

    @Test
    void e8pQuantizerIsLabelled() {
        int m = 16, n = 32;
        double[] w = randomMatrix(m, n, 16).data;
        var o = new CalderaOptions(
                2, 4, 8, 2, 2, true, "e8p", 1, true, CalderaOptions.ROW, 0, false, CalderaOptions.LR_FIRST);
        var res = Caldera.decompose(w, m, n, Caldera.prepare(hessian(n, 17), o), o, "w", null, null);
        assertThat(res.quantizerLabel()).isEqualTo("Q=e8p12, LR=e8p12-rvq4");
        assertThat(res.activationError()).isLessThan(0.5);
    }

    @Test
    void cancellationStopsTheDecomposition() {
        int m = 16, n = 32;
        var token = CancellationToken.none();
        token.cancel();
        var o = opts(2, 4, 4, 3, 3, true);
        Assertions.assertThatThrownBy(() -> Caldera.decompose(
                        randomMatrix(m, n, 1).data, m, n, Caldera.prepare(hessian(n, 2), o), o, "w", null, token))
                .isInstanceOf(CancellationToken.CancelledException.class);
    }

    @Test
    void optionsRejectImpossibleSettings() {
        Assertions.assertThatThrownBy(() -> new CalderaOptions(
                        3, 4, 8, 1, 1, true, "e8p", 1, false, CalderaOptions.ROW, 0, false, CalderaOptions.LR_FIRST))
                .hasMessageContaining("e8p");
        Assertions.assertThatThrownBy(() -> new CalderaOptions(
                        2,
                        12,
                        8,
                        1,
                        1,
                        true,
                        "scalar",
                        1,
                        false,
                        CalderaOptions.ROW,
                        0,
                        false,
                        CalderaOptions.LR_FIRST))
                .hasMessageContaining("L/R bits");
        var o = new CalderaOptions(
                2, 4, 0, 1, 1, true, "e8p", 1, false, CalderaOptions.ROW, 0, false, CalderaOptions.LR_FIRST);
        Assertions.assertThatThrownBy(() -> Caldera.decompose(
                        randomMatrix(8, 12, 1).data, 8, 12, Caldera.prepare(hessian(12, 2), o), o, "w", null, null))
                .hasMessageContaining("divisible by 8");
    }

    static DMatrixRMaj diff(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj d = a.copy();
        CommonOps_DDRM.subtractEquals(d, b);
        return d;
    }

    static double[] doubles(JsonNode arr) {
        double[] out = new double[arr.size()];
        for (int i = 0; i < out.length; i++) out[i] = arr.get(i).asDouble();
        return out;
    }
}
