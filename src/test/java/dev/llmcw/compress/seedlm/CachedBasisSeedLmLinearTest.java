package dev.llmcw.compress.seedlm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.llmcw.engine.DenseLinear;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Linear;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cached-basis SeedLM layer against the existing paths: its weights equal {@link SeedLmTensor#decode()}
 * within float rounding of the basis and of the P products (3e-7 of the block's magnitude), and its outputs
 * (one token, and batches) equal the dense product of the decoded weights and the on-the-fly kernel within
 * float rounding of the sums (2e-5 of Σ|w·x|).
 */
class CachedBasisSeedLmLinearTest {
    @ParameterizedTest
    @CsvSource({"8,3,16,true,40,64", "12,4,16,true,24,96", "8,3,12,false,20,61", "4,2,8,true,16,32"})
    void cachedBasisMatchesTheDecodedWeightsAndTheOtherPaths(int c, int p, int k, boolean flat, int rows, int cols) {
        SeedLmConfig cfg = new SeedLmConfig(c, p, k, ExponentRule.RANGE_FILLING, false, flat);
        SeedLmTensor t = SeedLmBench.randomTensor(rows, cols, cfg, 5);
        float[] dense = t.decode();
        var cached = new CachedBasisSeedLmLinear(t);
        float[] w = new float[cols];
        for (int o = 0; o < rows; o++) {
            cached.decodeRow(o, w);
            for (int j = 0; j < cols; j++)
                assertThat(w[j])
                        .as("row %d col %d", o, j)
                        .isCloseTo(
                                dense[o * cols + j], within(3e-7f * Math.max(1f, Math.abs(dense[o * cols + j])) * 8));
        }
        Linear reference = new DenseLinear(F32Tensor.of(dense, rows, cols));
        Linear onTheFly = SeedLmFormat.linear(t, true);
        Random rnd = new Random(9);
        for (int batch : new int[] {1, 3}) {
            float[] x = new float[batch * cols];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            float[] got = new float[batch * rows], want = got.clone(), fly = got.clone();
            cached.forward(x, 0, got, 0, batch);
            reference.forward(x, 0, want, 0, batch);
            onTheFly.forward(x, 0, fly, 0, batch);
            for (int b = 0; b < batch; b++)
                for (int o = 0; o < rows; o++) {
                    float mag = 0;
                    for (int j = 0; j < cols; j++) mag += Math.abs(dense[o * cols + j] * x[b * cols + j]);
                    int i = b * rows + o;
                    assertThat(got[i])
                            .as("batch %d row %d vs dense", batch, o)
                            .isCloseTo(want[i], within(2e-5f * mag + 1e-6f));
                    assertThat(got[i])
                            .as("batch %d row %d vs on the fly", batch, o)
                            .isCloseTo(fly[i], within(2e-5f * mag + 1e-6f));
                }
        }
    }
}
