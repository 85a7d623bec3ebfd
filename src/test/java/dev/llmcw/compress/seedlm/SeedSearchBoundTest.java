package dev.llmcw.compress.seedlm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The search prunes a seed when the float bound ‖w‖² − ‖M·Uᵀw‖² exceeds the threshold by more than the seed's slack.
 * That is only safe if the float bound minus the slack never lies above the exact least-squares residual
 * min_t ‖w − U t‖². This test replays the kernel's float arithmetic lane by lane (same operations, same order:
 * the correlation with FMAs, z = M·b with products and sums, ‖z‖² with products and sums) for every seed and checks
 * it against the residual computed in double from the pseudo-inverse, including badly conditioned seeds and weights
 * at LLM scale.
 */
class SeedSearchBoundTest {

    private static void check(int c, int p, int k, double sigma, int nBlocks, long seed) {
        SeedTables tab = SeedTables.of(c, p, k);
        Random r = new Random(seed);
        double[] pinv = new double[p * c];
        int pruned = 0, total = 0;
        for (int blk = 0; blk < nBlocks; blk++) {
            float[] w = new float[c];
            for (int j = 0; j < c; j++) w[j] = (float) (sigma * r.nextGaussian() * (j == blk % c ? 4 : 1));
            float ww = 0;
            for (int j = 0; j < c; j++) ww += w[j] * w[j];
            for (int o = 0; o < tab.n; o++) {
                // kernel arithmetic: b_i = s(o + 1 + i), s(m) = w_0·un[m] then FMAs over r
                float[] b = new float[tab.pk];
                for (int i = 0; i < tab.pk; i++) {
                    int m = o + 1 + i;
                    float s = tab.unorm[m] * w[0];
                    for (int j = 1; j < c; j++) s = Math.fma(tab.unorm[m + j * p], w[j], s);
                    b[i] = s;
                }
                float zz = 0;
                for (int i = 0; i < tab.pk; i++) {
                    float z = 0;
                    for (int j = 0; j <= i; j++) {
                        float prod = tab.chol[(i * (i + 1) / 2 + j) * tab.nPad + o] * b[j];
                        z = j == 0 ? prod : z + prod;
                    }
                    zz = i == 0 ? z * z : zz + z * z;
                }
                float lbFloat = ww - zz;
                float slack = tab.slack[o];
                // exact residual of the least-squares fit, in double
                tab.pinvDouble(o, pinv);
                double[] u = tab.u(o);
                double res = 0;
                double[] t = new double[p];
                for (int i = 0; i < p; i++) for (int j = 0; j < c; j++) t[i] += pinv[i * c + j] * w[j];
                for (int rr = 0; rr < c; rr++) {
                    double s = 0;
                    for (int i = 0; i < p; i++) s += u[rr * p + i] * t[i];
                    res += (w[rr] - s) * (w[rr] - s);
                }
                total++;
                if (slack < 1) pruned++;
                // the pruning test is lbFloat > thr + slack·ww; it must imply res > thr
                assertThat((double) lbFloat - (double) slack * ww)
                        .as("offset %d, block %d", o, blk)
                        .isLessThanOrEqualTo(res + 1e-12 * ww);
            }
        }
        // the slack is small for almost every seed (otherwise nothing would be pruned)
        assertThat(pruned).isGreaterThan(total * 9 / 10);
    }

    @Test
    void fourBitShape() {
        check(8, 3, 12, 1.0, 12, 1);
    }

    @Test
    void fourBitShapeLlmScale() {
        check(8, 3, 14, 0.02, 4, 2);
    }

    @Test
    void threeBitShape() {
        check(12, 4, 12, 0.5, 8, 3);
    }

    @Test
    void fewerCoefficients() {
        check(6, 2, 10, 1.0, 8, 4);
        check(4, 1, 9, 1.0, 8, 5);
    }
}
