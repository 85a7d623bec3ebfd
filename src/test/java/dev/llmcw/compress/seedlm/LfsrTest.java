package dev.llmcw.compress.seedlm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.testing.Slow;
import org.junit.jupiter.api.Test;

class LfsrTest {
    @Test
    void workedExampleK3Seed4() {
        int mask = Lfsr.tapMask(3);
        int s = 4;
        int[] got = new int[8];
        for (int i = 0; i < 8; i++) got[i] = s = Lfsr.step(s, 3, mask);
        assertThat(got).containsExactly(2, 5, 6, 7, 3, 1, 4, 2);
    }

    @Test
    void workedExampleMatrix() {
        assertThat(Lfsr.matrix(4, 3, 4, 2)).isDeepEqualTo(new int[][] {{2, 5}, {6, 7}, {3, 1}, {4, 2}});
    }

    @Test
    void normalisationMapsStatesOntoMinusOneToOne() {
        // K = 3: (V − 4) / 3
        double[] u = Lfsr.normalisedMatrix(4, 3, 4, 2);
        assertThat(u).containsExactly(-2 / 3.0, 1 / 3.0, 2 / 3.0, 1.0, -1 / 3.0, -1.0, 0.0, -2 / 3.0);
        assertThat(Lfsr.normalise(1, 16)).isEqualTo(-1.0);
        assertThat(Lfsr.normalise(65535, 16)).isEqualTo(1.0);
    }

    @Slow
    @Test
    void everyWidthUpTo20IsMaximalLength() {
        for (int k = 2; k <= 20; k++) {
            int mask = Lfsr.tapMask(k), n = (1 << k) - 1;
            boolean[] seen = new boolean[1 << k];
            int s = 1;
            for (int i = 0; i < n; i++) {
                assertThat(seen[s])
                        .as("K=%d state %d repeats after %d steps", k, s, i)
                        .isFalse();
                seen[s] = true;
                s = Lfsr.step(s, k, mask);
                assertThat(s).isBetween(1, n);
            }
            assertThat(s).as("K=%d period", k).isEqualTo(1);
        }
    }

    @Test
    void cycleStartsAtOneAndFollowsTheSteps() {
        int[] c = Lfsr.cycle(10);
        assertThat(c).hasSize(1023);
        assertThat(c[0]).isEqualTo(1);
        for (int i = 1; i < c.length; i++) assertThat(c[i]).isEqualTo(Lfsr.step(c[i - 1], 10, Lfsr.tapMask(10)));
    }

    @Test
    void matrixUsesStatesAfterTheSeed() {
        int[] cyc = Lfsr.cycle(8);
        int[][] v = Lfsr.matrix(cyc[5], 8, 3, 2);
        assertThat(v[0][0]).isEqualTo(cyc[6]);
        assertThat(v[2][1]).isEqualTo(cyc[11]);
    }

    @Test
    void rejectsBadWidthAndSeed() {
        assertThatThrownBy(() -> Lfsr.tapMask(25))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("K");
        assertThatThrownBy(() -> Lfsr.matrix(0, 8, 2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("seed 0");
        assertThatThrownBy(() -> Lfsr.matrix(256, 8, 2, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
