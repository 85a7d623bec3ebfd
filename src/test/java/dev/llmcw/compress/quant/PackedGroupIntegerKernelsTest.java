package dev.llmcw.compress.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.tensor.Q8Activations;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The integer decode kernel of 4-bit packed group codes against its scalar twin (bit for bit), and against the
 * exact product of the decoded matrix with the unquantized input: the difference is the activation rounding,
 * at most Σ_blocks d_x/2 · Σ|w| (plus float slack 1e-5·Σ|w·x|), as for the Q8_0/Q4_0 integer dots.
 */
class PackedGroupIntegerKernelsTest {
    @ParameterizedTest
    @CsvSource({"32,64,false", "64,256,false", "128,576,true", "96,192,false", "128,1536,false", "256,256,true"})
    void equalsItsScalarTwinAndTheDecodedProductWithinTheActivationRounding(
            int groupSize, int cols, boolean symmetric) {
        int rows = 37;
        PackedGroupCodes p = random(rows, cols, groupSize, symmetric, new Random(groupSize * 31L + cols));
        Random rnd = new Random(cols);
        for (int batch = 1; batch <= Q8Activations.MAX_BATCH; batch++) {
            assertThat(PackedGroupIntegerKernels.handles(p, batch)).isEqualTo(Q8Activations.enabled());
            float[] x = new float[batch * cols + 3];
            for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * (1 + 4 * (i % 7 == 0 ? 1 : 0)));
            float[] got = new float[batch * rows + 1], twin = got.clone();
            PackedGroupIntegerKernels.forward(p, x, 3, got, 1, batch);
            PackedGroupIntegerKernelsTwin.forward(p, x, 3, twin, 1, batch);
            for (int i = 0; i < got.length; i++)
                assertThat(Float.floatToIntBits(got[i]))
                        .as("batch %d output %d", batch, i)
                        .isEqualTo(Float.floatToIntBits(twin[i]));
            Q8Activations a = Q8Activations.quantize(x, 3, cols, batch);
            for (int t = 0; t < batch; t++)
                for (int r = 0; r < rows; r++) {
                    double exact = 0, magnitude = 0, rounding = 0;
                    for (int c = 0; c < cols; c++) {
                        double w = p.value((long) r * cols + c), v = w * x[3 + t * cols + c];
                        exact += v;
                        magnitude += Math.abs(v);
                        rounding += Math.abs(w) * a.scale(t, c / Q8Activations.BLOCK) / 2;
                    }
                    assertThat((double) got[1 + t * rows + r])
                            .as("batch %d token %d row %d", batch, t, r)
                            .isCloseTo(exact, Offset.offset(rounding + 1e-5 * magnitude + 1e-6));
                }
        }
    }

    @Test
    void aNonFiniteInputGivesNaN() {
        PackedGroupCodes p = random(5, 64, 32, false, new Random(3));
        float[] x = new float[64];
        x[40] = Float.POSITIVE_INFINITY;
        float[] y = new float[5];
        PackedGroupIntegerKernels.forward(p, x, 0, y, 0, 1);
        for (float v : y) assertThat(v).isNaN();
    }

    @Test
    void takesOnlyDecodeBatchesOfFourBitCodesInWholeBlocks() {
        Random rnd = new Random(5);
        boolean on = Q8Activations.enabled();
        assertThat(PackedGroupIntegerKernels.handles(random(4, 64, 32, false, rnd), 1))
                .isEqualTo(on);
        assertThat(PackedGroupIntegerKernels.handles(random(4, 64, 32, false, rnd), Q8Activations.MAX_BATCH + 1))
                .isFalse();
        assertThat(PackedGroupIntegerKernels.handles(random(4, 64, 16, false, rnd), 1))
                .isFalse();
        assertThat(PackedGroupIntegerKernels.handles(random(4, 72, 36, false, rnd), 1))
                .isFalse();
        assertThat(PackedGroupIntegerKernels.handles(randomBits(4, 64, 32, 3, rnd), 1))
                .isFalse();
    }

    private static PackedGroupCodes random(int rows, int cols, int groupSize, boolean symmetric, Random rnd) {
        double[] w = new double[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian();
        UniformGrid grid = UniformGrid.fit(w, rows, cols, 4, groupSize, symmetric);
        int[] codes = new int[w.length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) codes[r * cols + c] = grid.code(r, c, w[r * cols + c]);
        return PackedGroupCodes.of(grid, codes);
    }

    private static PackedGroupCodes randomBits(int rows, int cols, int groupSize, int bits, Random rnd) {
        UniformGrid grid = UniformGrid.fit(rnd.doubles(rows * cols).toArray(), rows, cols, bits, groupSize, false);
        return PackedGroupCodes.of(grid, rnd.ints(rows * cols, 0, 1 << bits).toArray());
    }
}
