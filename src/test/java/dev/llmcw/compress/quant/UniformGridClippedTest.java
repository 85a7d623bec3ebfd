package dev.llmcw.compress.quant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vectorised shrink search of {@link UniformGrid#fitClipped} picks exactly the grids of the plain definition. */
class UniformGridClippedTest {
    /** The definition: try every shrink factor with setGroup + quantize, keep the first strict minimum. */
    static UniformGrid reference(double[] w, int rows, int cols, int bits, int groupSize, boolean symmetric) {
        UniformGrid g = UniformGrid.empty(rows, cols, bits, groupSize, symmetric);
        for (int r = 0; r < rows; r++) {
            for (int gi = 0; gi < g.groups(); gi++) {
                int c0 = gi * g.groupSize(), c1 = Math.min(cols, c0 + g.groupSize());
                double min = 0, max = 0;
                for (int c = c0; c < c1; c++) {
                    min = Math.min(min, w[r * cols + c]);
                    max = Math.max(max, w[r * cols + c]);
                }
                double bestErr = Double.POSITIVE_INFINITY, bestP = 1;
                for (int step = 0; step < 20; step++) {
                    double p = 1 - 0.025 * step;
                    g.setGroup(r, gi, p * min, p * max);
                    double err = 0;
                    for (int c = c0; c < c1; c++) {
                        double d = w[r * cols + c] - g.quantize(r, c, w[r * cols + c]);
                        err += d * d;
                    }
                    if (err < bestErr) {
                        bestErr = err;
                        bestP = p;
                    }
                }
                g.setGroup(r, gi, bestP * min, bestP * max);
            }
        }
        return g;
    }

    @Test
    void matchesTheDefinitionIncludingHalfwayTies() {
        int rows = 9, cols = 37; // not a multiple of the vector width
        double[] w = new double[rows * cols];
        Random rnd = new Random(5);
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian() * (1 + i % 3);
        // Row 0: 2-bit grid with scale exactly 1 at p = 1, values on the halfway points (ties of Math.round).
        double[] ties = {-1.5, 1.5, 0.5, -0.5, 2.5, -2.5};
        for (int c = 0; c < cols; c++) w[c] = ties[c % ties.length];
        w[cols] = 0; // row 1 gets a zero among Gaussians; row 2 all zero
        for (int c = 0; c < cols; c++) w[2 * cols + c] = 0;
        for (int bits : new int[] {2, 3, 4}) {
            for (boolean sym : new boolean[] {false, true}) {
                for (int group : new int[] {0, 16}) {
                    UniformGrid got = UniformGrid.fitClipped(w, rows, cols, bits, group, sym);
                    UniformGrid want = reference(w, rows, cols, bits, group, sym);
                    assertThat(got.scales())
                            .as("bits %d sym %s group %d", bits, sym, group)
                            .containsExactly(want.scales());
                    assertThat(got.zeros()).containsExactly(want.zeros());
                }
            }
        }
    }
}
