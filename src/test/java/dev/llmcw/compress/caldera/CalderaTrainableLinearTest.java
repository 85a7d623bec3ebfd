package dev.llmcw.compress.caldera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.llmcw.engine.train.Parameter;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CalderaTrainableLinearTest {
    private static final int M = 24, N = 40, BATCH = 3;

    static CalderaFormat.Stored stored(int ft, boolean hadamard) {
        var o = new CalderaOptions(
                2, 4, 8, 2, 2, hadamard, "scalar", 99, true, CalderaOptions.ROW, 0, false, CalderaOptions.LR_FIRST);
        double[] w = CalderaTest.randomMatrix(M, N, 3).data;
        var res = Caldera.decompose(w, M, N, Caldera.prepare(CalderaTest.hessian(N, 4), o), o, "t.weight", null, null);
        var split = CalderaAdapter.split(res, ft, o);
        return new CalderaFormat.Stored(
                M, N, 8, hadamard, (float) res.scale(), res.qQuant(), split.lRest(), split.rRest(), N, split.adapter());
    }

    /** Σ c·y: linear in x, in L_top and in R_top separately, so central differences are exact up to rounding. */
    private static double loss(CalderaTrainableLinear layer, float[] x, float[] c) {
        float[] y = new float[BATCH * M];
        layer.forward(x, y, BATCH);
        double s = 0;
        for (int i = 0; i < y.length; i++) s += (double) c[i] * y[i];
        return s;
    }

    private static void checkAgainstDifferences(float[] v, float[] grad, DoubleSupplier f) {
        double h = 0.5;
        for (int i = 0; i < v.length; i++) {
            float keep = v[i];
            v[i] = (float) (keep + h);
            double up = f.getAsDouble();
            v[i] = (float) (keep - h);
            double down = f.getAsDouble();
            v[i] = keep;
            double fd = (up - down) / (2 * h);
            assertThat((double) grad[i]).as("element %d", i).isCloseTo(fd, offset(2e-3 * (1 + Math.abs(fd))));
        }
    }

    @ParameterizedTest
    @CsvSource({"4,true", "8,true", "3,false"})
    void forwardIsTheStoredLayerAndGradientsMatchFiniteDifferences(int ft, boolean hadamard) {
        var s = stored(ft, hadamard);
        var layer = CalderaTrainableLinear.of("t.weight", s, 99);
        Random rnd = new Random(5);
        float[] x = new float[BATCH * N], c = new float[BATCH * M];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < c.length; i++) c[i] = (float) rnd.nextGaussian();
        float[] y = new float[BATCH * M], ref = new float[BATCH * M];
        layer.forward(x, y, BATCH);
        CalderaFormat.linear(s, 99, false).forward(x, 0, ref, 0, BATCH);
        for (int i = 0; i < y.length; i++) assertThat(y[i]).isCloseTo(ref[i], offset(1e-4f * (1 + Math.abs(ref[i]))));

        float[] dx = new float[BATCH * N];
        Parameter l = layer.parameters().get(0), r = layer.parameters().get(1);
        layer.backward(x, c, dx, BATCH);
        checkAgainstDifferences(x, dx, () -> loss(layer, x, c));
        checkAgainstDifferences(l.value(), l.grad(), () -> loss(layer, x, c));
        checkAgainstDifferences(r.value(), r.grad(), () -> loss(layer, x, c));
        // Gradients accumulate over calls; dx is overwritten.
        float[] g0 = l.grad().clone();
        layer.backward(x, c, dx, BATCH);
        for (int i = 0; i < g0.length; i++)
            assertThat(l.grad()[i]).isCloseTo(2 * g0[i], offset(1e-5f * (1 + Math.abs(g0[i]))));
    }

    /**
     * Real-valued SU/SV in place of the signs: the forward pass is W with rows scaled by SV⊙d_m and columns by
     * SU⊙d_n (W the seeded layer decoded densely, an independent computation), the stored-scales inference layer
     * agrees, and the gradients of SU, SV, the adapter and x match finite differences.
     */
    @ParameterizedTest
    @CsvSource({"4", "8"})
    void hadamardScalesForwardAndGradientsMatchFiniteDifferences(int ft) {
        var s = stored(ft, true);
        Random rnd = new Random(8);
        var tm = Caldera.transform(99, M);
        var tn = Caldera.transform(99, N);
        float[] su = new float[N], sv = new float[M];
        double[] dn = tn.signs(), dm = tm.signs();
        for (int c = 0; c < N; c++) su[c] = (float) (dn[c] * (1 + 0.3 * rnd.nextGaussian()));
        for (int i = 0; i < M; i++) sv[i] = (float) (dm[i] * (1 + 0.3 * rnd.nextGaussian()));
        var scales = new HadamardScales(su, sv);
        var layer = CalderaTrainableLinear.of("t.weight", s, 99, scales).trainingScales(true);
        assertThat(layer.parameters())
                .extracting(Parameter::name)
                .containsExactly("t.weight.Lft", "t.weight.Rft", "t.weight.SU", "t.weight.SV");
        float[] x = new float[BATCH * N], c = new float[BATCH * M];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < c.length; i++) c[i] = (float) rnd.nextGaussian();
        double[] w = CalderaFormat.decode(s, 99);
        float[] y = new float[BATCH * M], loaded = new float[BATCH * M];
        layer.forward(x, y, BATCH);
        new ScaledHadamardLinear(CalderaFormat.linear(s, 99, true), scales, tm, tn).forward(x, 0, loaded, 0, BATCH);
        for (int b = 0; b < BATCH; b++)
            for (int i = 0; i < M; i++) {
                double ref = 0;
                for (int k = 0; k < N; k++) ref += w[i * N + k] * (sv[i] * dm[i]) * (su[k] * dn[k]) * x[b * N + k];
                assertThat((double) y[b * M + i]).isCloseTo(ref, offset(1e-4 * (1 + Math.abs(ref))));
                assertThat((double) loaded[b * M + i]).isCloseTo(ref, offset(1e-4 * (1 + Math.abs(ref))));
            }
        float[] dx = new float[BATCH * N];
        layer.backward(x, c, dx, BATCH);
        checkAgainstDifferences(x, dx, () -> loss(layer, x, c));
        for (Parameter p : layer.parameters()) {
            assertThat(p.grad()).as(p.name()).isNotEqualTo(new float[p.grad().length]);
            checkAgainstDifferences(p.value(), p.grad(), () -> loss(layer, x, c));
        }
    }

    @Test
    void withTheSeededSignsTheLayerIsUnchanged() {
        var s = stored(4, true);
        var plain = CalderaTrainableLinear.of("t.weight", s, 99);
        var signs = CalderaTrainableLinear.of("t.weight", s, 99).trainingScales(true);
        assertThat(plain.scales()).isNull();
        float[] x = new float[BATCH * N];
        Random rnd = new Random(2);
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        float[] a = new float[BATCH * M], b = new float[BATCH * M];
        plain.forward(x, a, BATCH);
        signs.forward(x, b, BATCH);
        assertThat(b).containsExactly(a);
    }

    @Test
    void aMatrixWithoutAdapterIsRefused() {
        var s = stored(4, true);
        var plain = new CalderaFormat.Stored(M, N, 8, true, s.g(), s.q(), s.l(), s.r(), N, null);
        assertThatThrownBy(() -> CalderaTrainableLinear.of("t.weight", plain, 99))
                .hasMessageContaining("t.weight has no 16-bit adapter");
    }
}
