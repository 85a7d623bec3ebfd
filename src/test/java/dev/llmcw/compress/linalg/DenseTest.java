package dev.llmcw.compress.linalg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.assertj.core.data.Offset;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class DenseTest {
    static DMatrixRMaj random(int m, int n, long seed) {
        DMatrixRMaj a = new DMatrixRMaj(m, n);
        Random r = new Random(seed);
        for (int i = 0; i < a.data.length; i++) a.data[i] = r.nextGaussian();
        return a;
    }

    @Test
    void productsMatchEjml() {
        DMatrixRMaj a = random(37, 53, 1), b = random(53, 29, 2), c = random(29, 53, 3), d = random(37, 11, 4);
        DMatrixRMaj ref = new DMatrixRMaj(37, 29);
        CommonOps_DDRM.mult(a, b, ref);
        assertThat(maxDiff(Dense.mult(a, b), ref)).isLessThan(1e-12);
        CommonOps_DDRM.multTransB(a, c, ref);
        assertThat(maxDiff(Dense.multTransB(a, c), ref)).isLessThan(1e-12);
        DMatrixRMaj ref2 = new DMatrixRMaj(53, 11);
        CommonOps_DDRM.multTransA(a, d, ref2);
        assertThat(maxDiff(Dense.multTransA(a, d), ref2)).isLessThan(1e-12);
    }

    /** gemmAcc on a block inside larger arrays, A read transposed: the same bits as axpy over p, nothing else touched. */
    @Test
    void gemmAccOnStridedViewsReproducesAxpyBitForBit() {
        int rows = 7, cols = 21, depth = 13, lda = 30, ldb = 25, ldc = 24;
        double[] a = random(depth + 2, lda, 20).data,
                b = random(depth + 2, ldb, 21).data,
                c = random(rows + 3, ldc, 22).data;
        double[] expected = c.clone();
        int ai = 2 * lda + 3, bi = 2 * ldb + 1, ci = ldc + 2; // A(i,p) = a[ai + p·lda + i]: rows of Aᵀ
        for (int i = 0; i < rows; i++) {
            for (int p = 0; p < depth; p++) {
                double av = a[ai + p * lda + i];
                if (av != 0) Dense.axpy(av, b, bi + p * ldb, expected, ci + i * ldc, cols);
            }
        }
        Dense.gemmAcc(
                rows,
                cols,
                depth,
                StridedMatrix.transposedRows(a, ai, lda),
                StridedMatrix.rows(b, bi, ldb),
                StridedMatrix.rows(c, ci, ldc));
        assertThat(c).isEqualTo(expected);
    }

    @Test
    void gemmAccRefusesAStridedB() {
        double[] d = new double[64];
        assertThatThrownBy(() -> Dense.gemmAcc(
                        2,
                        2,
                        2,
                        StridedMatrix.rows(d, 0, 8),
                        StridedMatrix.transposedRows(d, 0, 8),
                        StridedMatrix.rows(d, 32, 8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("column stride 1");
    }

    @Test
    void blockedAndTriangularKernelsMatchEjmlOnLargeShapes() {
        DMatrixRMaj a = random(40, 700, 8), b = random(700, 600, 9);
        DMatrixRMaj ref = new DMatrixRMaj(40, 600);
        CommonOps_DDRM.mult(a, b, ref);
        assertThat(maxDiff(Dense.mult(a, b), ref)).isLessThan(1e-10);
        DMatrixRMaj x = random(900, 300, 10);
        DMatrixRMaj h = Dense.multTransA(x, x);
        DMatrixRMaj c = Dense.choleskyLower(h);
        DMatrixRMaj ac = random(17, 300, 11), ref2 = new DMatrixRMaj(17, 300);
        CommonOps_DDRM.mult(ac, c, ref2);
        assertThat(maxDiff(Dense.multLower(ac, c), ref2)).isLessThan(1e-9);
        DMatrixRMaj y = random(300, 5, 12);
        DMatrixRMaj sol = Dense.solveLowerTransposed(c, y);
        DMatrixRMaj back = new DMatrixRMaj(300, 5);
        CommonOps_DDRM.multTransA(c, sol, back);
        assertThat(maxDiff(back, y)).isLessThan(1e-9);
    }

    @Test
    void randomisedTopKMatchesExactOnDecayingSpectrum() {
        int m = 300, n = 400, k = 8;
        // A = U diag(σ) Vᵀ with geometric σ, plus noise.
        DMatrixRMaj u = Dense.orthonormalColumns(random(m, 40, 5)), v = Dense.orthonormalColumns(random(n, 40, 6));
        DMatrixRMaj s = new DMatrixRMaj(40, 40);
        for (int i = 0; i < 40; i++) s.set(i, i, Math.pow(0.7, i) * 10);
        DMatrixRMaj a = Dense.multTransB(Dense.mult(u, s), v);
        var exact = Dense.topK(a, k, true, 0, 1);
        var approx = Dense.topK(a, k, false, 4, 1);
        for (int i = 0; i < k; i++) assertThat(approx.s()[i]).isCloseTo(exact.s()[i], Offset.offset(1e-8));
    }

    @Test
    void symEigReconstructs() {
        DMatrixRMaj x = random(30, 20, 7);
        DMatrixRMaj h = Dense.multTransA(x, x);
        var e = Dense.symEig(h);
        DMatrixRMaj l = new DMatrixRMaj(20, 20);
        for (int i = 0; i < 20; i++) l.set(i, i, e.values()[i]);
        DMatrixRMaj rec = Dense.multTransB(Dense.mult(e.vectors(), l), e.vectors());
        assertThat(maxDiff(rec, h)).isLessThan(1e-9);
        for (int i = 1; i < 20; i++) assertThat(e.values()[i]).isLessThanOrEqualTo(e.values()[i - 1]);
    }

    static double maxDiff(DMatrixRMaj a, DMatrixRMaj b) {
        double m = 0;
        for (int i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
        return m;
    }
}
