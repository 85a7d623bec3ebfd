package dev.llmcw.compress.seedlm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CoefficientQuantizerTest {
    @Test
    void rangeFillingExponentIsSmallestWithMaxWithinSevenAndAHalfSteps() {
        Random r = new Random(1);
        for (int i = 0; i < 200_000; i++) {
            double m = Math.scalb(1 + r.nextDouble(), r.nextInt(24) - 12);
            int e = CoefficientQuantizer.exponent(m, ExponentRule.RANGE_FILLING);
            if (e > CoefficientQuantizer.E_MIN && e < CoefficientQuantizer.E_MAX) {
                assertThat(m).isLessThanOrEqualTo(7.5 * Math.scalb(1.0, e));
                assertThat(m).isGreaterThan(7.5 * Math.scalb(1.0, e - 1));
            }
        }
    }

    @Test
    void boundariesAreExact() {
        // m = 7.5·2^e exactly → that e (ceil of an exact integer log)
        assertThat(CoefficientQuantizer.exponent(7.5, ExponentRule.RANGE_FILLING))
                .isEqualTo(0);
        assertThat(CoefficientQuantizer.exponent(Math.nextUp(7.5), ExponentRule.RANGE_FILLING))
                .isEqualTo(1);
        assertThat(CoefficientQuantizer.exponent(3.75, ExponentRule.RANGE_FILLING))
                .isEqualTo(-1);
        assertThat(CoefficientQuantizer.exponent(1.0, ExponentRule.PRINTED)).isEqualTo(0);
        assertThat(CoefficientQuantizer.exponent(Math.nextDown(1.0), ExponentRule.PRINTED))
                .isEqualTo(-1);
        assertThat(CoefficientQuantizer.exponent(0.0, ExponentRule.RANGE_FILLING))
                .isEqualTo(-8);
        assertThat(CoefficientQuantizer.exponent(1e-9, ExponentRule.PRINTED)).isEqualTo(-8);
        assertThat(CoefficientQuantizer.exponent(1e9, ExponentRule.RANGE_FILLING))
                .isEqualTo(7);
    }

    @Test
    void codesRoundHalfToEvenAndClip() {
        int[] q = new int[4];
        int e = CoefficientQuantizer.quantise(new double[] {7.5, -7.5, 2.5, 0.4}, 4, ExponentRule.RANGE_FILLING, q);
        assertThat(e).isEqualTo(0);
        assertThat(q).containsExactly(7, -8, 2, 0); // rint(7.5)=8 → clipped 7; rint(2.5)=2
        e = CoefficientQuantizer.quantise(new double[] {1.5, -0.75, 0.1}, 3, ExponentRule.PRINTED, q);
        assertThat(e).isEqualTo(0);
        assertThat(q[0]).isEqualTo(2);
        assertThat(q[1]).isEqualTo(-1);
        assertThat(CoefficientQuantizer.value(-3, -2)).isEqualTo(-0.75);
    }

    @Test
    void printedRuleOnlyUsesSmallCodes() {
        Random r = new Random(2);
        int[] q = new int[3];
        for (int i = 0; i < 10_000; i++) {
            double[] t = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
            CoefficientQuantizer.quantise(t, 3, ExponentRule.PRINTED, q);
            for (int v : q) assertThat(v).isBetween(-2, 2);
        }
    }
}
