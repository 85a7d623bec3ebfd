package dev.llmcw.compress.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.compress.linalg.Dense;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class LdlqLatticeTest {
    @Test
    void blockLdlqWithE8pBeatsDirectRounding() {
        int m = 16, n = 64;
        double[] w = new double[m * n];
        var r = new Random(9);
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        DMatrixRMaj h = correlatedH(n);
        var direct = E8PQuantizer.forMatrix(w, m, n, 1);
        double eDirect = err(w, direct.quantizeAll(w, m, n), m, n, h);
        var q = E8PQuantizer.forMatrix(w, m, n, 1);
        double[] ldlq = Ldlq.quantize(w, m, n, h, q, null);
        assertThat(q.decode()).containsExactly(ldlq, Offset.offset(1e-12));
        assertThat(err(w, ldlq, m, n, h)).isLessThan(0.8 * eDirect);
    }

    static DMatrixRMaj correlatedH(int n) {
        var r = new Random(1);
        DMatrixRMaj x = new DMatrixRMaj(200, n);
        for (int s = 0; s < 200; s++) {
            double prev = 0;
            for (int i = 0; i < n; i++) {
                prev = 0.9 * prev + r.nextGaussian();
                x.set(s, i, prev);
            }
        }
        return Dense.multTransA(x, x);
    }

    static double err(double[] w, double[] q, int m, int n, DMatrixRMaj h) {
        DMatrixRMaj d = new DMatrixRMaj(m, n);
        for (int i = 0; i < w.length; i++) d.data[i] = w[i] - q[i];
        return Dense.traceQuad(d, h);
    }
}
