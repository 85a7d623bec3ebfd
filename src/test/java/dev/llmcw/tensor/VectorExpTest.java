package dev.llmcw.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class VectorExpTest {
    @Test
    void withinTwoUlpOfMathExpAndVectorEqualsScalar() {
        Random r = new Random(7);
        var sp = KernelSpecies.F;
        float[] x = new float[sp.length() * 4096];
        for (int i = 0; i < x.length; i++) x[i] = i < 64 ? -i * 1.25f : (float) (r.nextDouble() * 168 - 80);
        x[1] = 88f;
        x[2] = -80f;
        x[3] = 0f;
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += sp.length())
            VectorExp.exp(FloatVector.fromArray(sp, x, i)).intoArray(y, i);
        for (int i = 0; i < x.length; i++) {
            float want = (float) Math.exp(x[i]);
            assertThat(y[i]).as("exp(%s)", x[i]).isEqualTo(VectorExp.exp(x[i]));
            assertThat(Math.abs(y[i] - want))
                    .as("exp(%s) = %s, want %s", x[i], y[i], want)
                    .isLessThanOrEqualTo(2 * Math.ulp(want));
        }
        assertThat(VectorExp.exp(0f)).isEqualTo(1f);
    }

    @Test
    void belowTheCutoffIsZero() {
        var sp = KernelSpecies.F;
        float[] x = new float[sp.length()];
        for (int i = 0; i < x.length; i++) x[i] = -80.01f - i * 10;
        x[0] = Float.NEGATIVE_INFINITY;
        float[] y = new float[x.length];
        VectorExp.exp(FloatVector.fromArray(sp, x, 0)).intoArray(y, 0);
        for (float v : y) assertThat(v).isZero();
        assertThat(VectorExp.exp(-1000f)).isZero();
    }

    @Test
    void base2VersionWithinTwoUlpOfExactAndVectorEqualsScalar() {
        Random r = new Random(13);
        var sp = KernelSpecies.F;
        float[] x = new float[sp.length() * 8192];
        for (int i = 0; i < x.length; i++)
            x[i] = i < 280 ? -i * 0.5f : i % 3 == 0 ? (float) (-r.nextDouble() * 126) : (float) (-r.nextDouble() * 20);
        x[1] = 0f;
        x[2] = -126f;
        x[3] = -1e-30f;
        x[4] = -0.5f;
        x[5] = -1.5f;
        x[6] = Float.NEGATIVE_INFINITY;
        x[7] = -1000f;
        float[] y = x.clone();
        VectorExp.exp2RowsSummed(
                y,
                x.length / 2,
                0,
                x.length / 2,
                1f,
                new float[2],
                new double[2],
                new float[4 * sp.length()]); // both halves, argument x·1 + 0
        for (int i = 0; i < x.length; i++) {
            // below the floor the result is the smallest normal float, 2^-126
            float want = (float) Math.pow(2, Math.max(x[i], VectorExp.FLOOR2));
            assertThat(y[i]).as("2^%s", x[i]).isEqualTo(VectorExp.exp2NonPositive(x[i]));
            assertThat(Math.abs(y[i] - want))
                    .as("2^%s = %s, want %s", x[i], y[i], want)
                    .isLessThanOrEqualTo(2 * Math.ulp(want));
        }
        assertThat(VectorExp.exp2NonPositive(0f)).isEqualTo(1f);
        assertThat(VectorExp.exp2NonPositive(-3f)).isEqualTo(0.125f);
        assertThat(VectorExp.exp2NonPositive(Float.NEGATIVE_INFINITY)).isEqualTo(Float.MIN_NORMAL);
    }

    @Test
    void twoRowsAtOnceEqualTheScalarVersionOfTheirArgumentsBitForBitAndTheirSumsTheDoubleSums() {
        var sp = KernelSpecies.F;
        // rows 1 and 2 of a stride wider than the rows
        int n = sp.length() * 37, stride = n + 5, o0 = stride, o1 = 2 * stride;
        Random r = new Random(17);
        float[] a = new float[o1 + n], want = new float[a.length];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() * 30);
        a[o0 + 3] = Float.NEGATIVE_INFINITY;
        a[o1 + 7] = Float.NEGATIVE_INFINITY;
        float mul = 0.51f, add0 = -40f, add1 = -3.25f;
        for (int j = 0; j < n; j++) {
            want[o0 + j] = VectorExp.exp2NonPositive(Math.fma(a[o0 + j], mul, add0));
            want[o1 + j] = VectorExp.exp2NonPositive(Math.fma(a[o1 + j], mul, add1));
        }
        float[] got = a.clone();
        double[] sums = {Double.NaN, 7, 7, Double.NaN};
        VectorExp.exp2RowsSummed(
                got,
                stride,
                1,
                n,
                mul,
                new float[] {Float.NaN, add0, add1, Float.NaN},
                sums,
                new float[4 * sp.length()]);
        double want0 = 0, want1 = 0;
        for (int j = 0; j < n; j++) {
            assertThat(got[o0 + j]).as("row 1 at %d", j).isEqualTo(want[o0 + j]);
            assertThat(got[o1 + j]).as("row 2 at %d", j).isEqualTo(want[o1 + j]);
            want0 += want[o0 + j];
            want1 += want[o1 + j];
        }
        // compensated float lane sums: the double sums of the same floats to 1e-7 relative
        assertThat(sums[1]).isCloseTo(want0, Percentage.withPercentage(1e-5));
        assertThat(sums[2]).isCloseTo(want1, Percentage.withPercentage(1e-5));
        assertThat(sums[0]).isNaN();
        assertThat(sums[3]).isNaN();
        for (int j = 0; j < o0; j++) assertThat(got[j]).as("untouched %d", j).isEqualTo(a[j]);
        for (int j = o0 + n; j < o1; j++)
            assertThat(got[j]).as("untouched %d", j).isEqualTo(a[j]);
    }
}
