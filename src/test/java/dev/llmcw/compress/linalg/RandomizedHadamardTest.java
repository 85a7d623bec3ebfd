package dev.llmcw.compress.linalg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.assertj.core.data.Offset;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RandomizedHadamardTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8, 64, 12, 172, 96})
    void isOrthogonalAndInvertsExactly(int n) {
        var t = new RandomizedHadamard(n, 42);
        DMatrixRMaj m = t.matrix();
        DMatrixRMaj mtm = Dense.multTransA(m, m);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                assertThat(mtm.get(i, j)).isCloseTo(i == j ? 1 : 0, Offset.offset(1e-12));
            }
        double[] x = new Random(n).doubles(n, -3, 3).toArray();
        double[] y = x.clone();
        t.apply(y, 0, null);
        t.applyTranspose(y, 0, null);
        for (int i = 0; i < n; i++) assertThat(y[i]).isCloseTo(x[i], Offset.offset(1e-12));
    }

    @Test
    void powerOfTwoIsSignedWalshHadamard() {
        var t = new RandomizedHadamard(8, 3);
        DMatrixRMaj m = t.matrix();
        double[] d = t.signs();
        // Undo the signs: every entry of H_8 is ±1/√8 and H_8 is symmetric.
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 8; j++) {
                double h = m.get(i, j) * d[j];
                assertThat(Math.abs(h)).isCloseTo(1 / Math.sqrt(8), Offset.offset(1e-14));
                assertThat(h).isCloseTo(m.get(j, i) * d[i], Offset.offset(1e-14));
                assertThat(Math.signum(h)).isEqualTo(Integer.bitCount(i & j) % 2 == 0 ? 1.0 : -1.0);
            }
    }

    @Test
    void rotateWeightMatchesDenseProductAndUnrotates() {
        int m = 12, n = 20;
        var tm = new RandomizedHadamard(m, 1);
        var tn = new RandomizedHadamard(n, 2);
        DMatrixRMaj w = new DMatrixRMaj(m, n);
        Random r = new Random(5);
        for (int i = 0; i < w.data.length; i++) w.data[i] = r.nextGaussian();
        DMatrixRMaj expected = Dense.multTransB(Dense.mult(tm.matrix(), w), tn.matrix());
        DMatrixRMaj rot = w.copy();
        RandomizedHadamard.rotateWeight(rot, tm, tn);
        assertThat(CommonOps_DDRM.elementMaxAbs(diff(rot, expected))).isLessThan(1e-12);
        RandomizedHadamard.unrotateWeight(rot, tm, tn);
        assertThat(CommonOps_DDRM.elementMaxAbs(diff(rot, w))).isLessThan(1e-12);
    }

    static DMatrixRMaj diff(DMatrixRMaj a, DMatrixRMaj b) {
        DMatrixRMaj d = new DMatrixRMaj(a.numRows, a.numCols);
        CommonOps_DDRM.subtract(a, b, d);
        return d;
    }
}
