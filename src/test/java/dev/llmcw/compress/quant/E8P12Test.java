package dev.llmcw.compress.quant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class E8P12Test {
    @Test
    void has65536DistinctCodewordsInE8PlusQuarter() {
        Set<String> seen = new HashSet<>();
        double[] c = new double[8];
        for (int code = 0; code < E8P12.CODES; code++) {
            E8P12.decode(code, c, 0);
            seen.add(Arrays.toString(c));
            // c − ¼·1 must be in E8: either all integers or all half-integers, with even sum.
            double sum = 0;
            boolean allInt = true, allHalf = true;
            for (double v : c) {
                double x = v - 0.25;
                sum += x;
                allInt &= Math.abs(x - Math.rint(x)) < 1e-12;
                allHalf &= Math.abs(x - 0.5 - Math.rint(x - 0.5)) < 1e-12;
            }
            assertThat(allInt || allHalf).as("code %d", code).isTrue();
            assertThat(Math.abs(sum / 2 - Math.rint(sum / 2)))
                    .as("even sum, code %d", code)
                    .isLessThan(1e-12);
        }
        assertThat(seen).hasSize(E8P12.CODES);
    }

    @Test
    void patternsAre227BallPointsPlus29OfNorm12() {
        int small = 0, twelve = 0;
        for (int p = 0; p < 256; p++) {
            int sq = 0;
            for (int v : E8P12.pattern(p)) sq += v * v;
            if (sq <= 40) small++;
            if (sq == 48) twelve++;
        }
        assertThat(small).isEqualTo(227);
        assertThat(twelve).isEqualTo(29);
        assertThat(E8P12.pattern(0)).containsExactly(1, 1, 1, 1, 1, 1, 1, 1);
    }

    @Test
    void nearestAgreesWithBruteForce() {
        Random r = new Random(11);
        double[] x = new double[8];
        for (int t = 0; t < 60; t++) {
            double scale = t % 3 == 0 ? 2.5 : 1.03;
            for (int i = 0; i < 8; i++) x[i] = r.nextGaussian() * scale;
            int fast = E8P12.nearest(x, 0);
            double best = Double.POSITIVE_INFINITY;
            for (int code = 0; code < E8P12.CODES; code++) best = Math.min(best, E8P12.distanceSq(x, 0, code));
            assertThat(E8P12.distanceSq(x, 0, fast)).as("trial %d", t).isCloseTo(best, Offset.offset(1e-12));
        }
    }

    @Test
    void rvq4IsMoreAccurateThanTwoBit() {
        Random r = new Random(3);
        double[] w = new double[64 * 64];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        double e2 = err(w, E8PQuantizer.forMatrix(w, 64, 64, 1).quantizeAll(w, 64, 64));
        var q4 = E8PQuantizer.forMatrix(w, 64, 64, 2);
        double[] w4 = q4.quantizeAll(w, 64, 64);
        double e4 = err(w, w4);
        assertThat(e2).isBetween(0.05, 0.15); // ~ the E8P12 MSE at unit variance (QuIP# reports ~0.09)
        assertThat(e4).isLessThan(e2 / 4);
        assertThat(q4.decode()).containsExactly(w4, Offset.offset(1e-12));
    }

    static double err(double[] a, double[] b) {
        double s = 0, n = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
            n += a[i] * a[i];
        }
        return s / n;
    }
}
