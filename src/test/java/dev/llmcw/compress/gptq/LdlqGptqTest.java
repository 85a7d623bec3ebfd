package dev.llmcw.compress.gptq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.compress.quant.Ldlq;
import dev.llmcw.compress.quant.ScalarBlockQuantizer;
import dev.llmcw.compress.quant.UniformGrid;
import dev.llmcw.compress.rtn.Rtn;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class LdlqGptqTest {
    /** H = XᵀX of strongly correlated activations (AR(1) features plus a shared component). */
    static DMatrixRMaj correlatedH(int n, int samples, long seed) {
        Random r = new Random(seed);
        DMatrixRMaj x = new DMatrixRMaj(samples, n);
        for (int s = 0; s < samples; s++) {
            double prev = 0, common = r.nextGaussian();
            for (int i = 0; i < n; i++) {
                prev = 0.9 * prev + r.nextGaussian() * 0.5;
                x.set(s, i, prev + common + (i % 7 == 0 ? 3 * r.nextGaussian() : 0));
            }
        }
        DMatrixRMaj h = Dense.multTransA(x, x);
        for (int i = 0; i < n; i++) h.add(i, i, 1e-3 * h.get(i, i));
        return h;
    }

    static double[] randomW(int m, int n, long seed) {
        Random r = new Random(seed);
        double[] w = new double[m * n];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        return w;
    }

    static double hErr(double[] w, double[] q, int m, int n, DMatrixRMaj h) {
        DMatrixRMaj d = new DMatrixRMaj(m, n);
        for (int i = 0; i < w.length; i++) d.data[i] = w[i] - q[i];
        return Dense.traceQuad(d, h);
    }

    @Test
    void ldlqEqualsGptqInReverseOrderOnTheSameGrid() {
        int m = 24, n = 160, bits = 3;
        double[] w = randomW(m, n, 1);
        DMatrixRMaj h = correlatedH(n, 400, 2);
        UniformGrid grid = UniformGrid.fit(w, m, n, bits, 0, false);
        var sq = new ScalarBlockQuantizer(grid);
        double[] ldlq = Ldlq.quantize(w, m, n, h, sq, null);
        // LDLQ as specified runs from the last column to the first; GPTQ in the reversed order is the same algorithm.
        int[] reverse = new int[n];
        for (int i = 0; i < n; i++) reverse[i] = n - 1 - i;
        var gptq = Gptq.quantize(w, m, n, h, new Gptq.Options(bits, 0, false, false, 0.0, reverse, grid), null);
        int differ = 0;
        for (int i = 0; i < m * n; i++) if (gptq.codes()[i] != sq.codes()[i]) differ++;
        assertThat(differ).as("codes differing between LDLQ and GPTQ").isZero();
        assertThat(gptq.dequantize()).containsExactly(ldlq, Offset.offset(1e-12));
    }

    @Test
    void bothBeatRtnInTheActivationWeightedError() {
        int m = 32, n = 128, bits = 2;
        double[] w = randomW(m, n, 3);
        DMatrixRMaj h = correlatedH(n, 300, 4);
        UniformGrid grid = UniformGrid.fit(w, m, n, bits, 0, false);
        double rtn = hErr(w, Rtn.quantize(w, m, n, bits, n, false).dequantize(), m, n, h);
        double ldlq = hErr(w, Ldlq.quantize(w, m, n, h, new ScalarBlockQuantizer(grid), null), m, n, h);
        double gptq = hErr(
                w,
                Gptq.quantize(w, m, n, h, Gptq.Options.of(bits, 0, false), null).dequantize(),
                m,
                n,
                h);
        double gptqGroups = hErr(
                w,
                Gptq.quantize(w, m, n, h, Gptq.Options.of(bits, 32, false), null)
                        .dequantize(),
                m,
                n,
                h);
        double gptqAct = hErr(
                w,
                Gptq.quantize(w, m, n, h, new Gptq.Options(bits, 32, false, true, 0.01, null, null), null)
                        .dequantize(),
                m,
                n,
                h);
        assertThat(ldlq).isLessThan(0.8 * rtn);
        assertThat(gptq).isLessThan(0.8 * rtn);
        double rtnGroups = hErr(w, Rtn.quantize(w, m, n, bits, 32, false).dequantize(), m, n, h);
        assertThat(gptqGroups).isLessThan(0.8 * rtnGroups);
        assertThat(gptqAct).isLessThan(0.8 * rtnGroups);
    }

    @Test
    void deadColumnsAreZeroed() {
        int m = 4, n = 16;
        double[] w = randomW(m, n, 5);
        DMatrixRMaj h = correlatedH(n, 50, 6);
        for (int i = 0; i < n; i++) {
            h.set(3, i, 0);
            h.set(i, 3, 0);
        }
        double[] q =
                Gptq.quantize(w, m, n, h, Gptq.Options.of(4, 0, false), null).dequantize();
        for (int r = 0; r < m; r++) assertThat(q[r * n + 3]).isZero();
    }
}
