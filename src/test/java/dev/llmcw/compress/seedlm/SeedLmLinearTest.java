package dev.llmcw.compress.seedlm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.tensor.Linear;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** On-the-fly and decoded-to-dense SeedLM layers give the outputs of the dense decode. */
class SeedLmLinearTest {
    static SeedLmTensor random(int rows, int cols, SeedLmConfig cfg, long seed) {
        Random r = new Random(seed);
        int nb = rows * SeedLmTensor.blocksPerRow(cols, cfg);
        int[] seeds = new int[nb];
        byte[] e = new byte[nb], q = new byte[nb * cfg.p()];
        for (int i = 0; i < nb; i++) {
            seeds[i] = 1 + r.nextInt((1 << cfg.k()) - 1);
            e[i] = (byte) (r.nextInt(5) - 6);
        }
        for (int i = 0; i < q.length; i++) q[i] = (byte) (r.nextInt(16) - 8);
        return new SeedLmTensor(rows, cols, cfg, seeds, e, q, cfg.perTensorScale() ? 0.37f : 1f);
    }

    /** Tolerance: float accumulation in a different order; relative to Σ|W_ij x_j| per output, 1e-5. */
    @ParameterizedTest
    @CsvSource({
        "8,3,16,37,50,false",
        "12,4,16,40,100,false",
        "8,3,17,16,64,true",
        "8,2,10,33,24,false",
        "6,5,12,20,30,false",
        "8,4,12,13,41,false",
        "16,3,16,9,35,false",
        "8,3,12,4,8,false",
        "12,3,16,7,25,true",
        "8,3,16,9,530,false",
        "8,3,16,6,299,true"
    })
    void onTheFlyAndDenseMatchTheDecode(int c, int p, int k, int rows, int cols, boolean scale) {
        var cfg = new SeedLmConfig(c, p, k, ExponentRule.RANGE_FILLING, scale);
        SeedLmTensor t = random(rows, cols, cfg, 31L * rows + cols);
        float[] w = t.decode();
        Random r = new Random(5);
        int batch = 3;
        float[] x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        Linear fly = SeedLmFormat.linear(t, true),
                dense = SeedLmFormat.linear(t, false),
                stepping = new LfsrSteppingLinear(t);
        assertThat(fly.kind()).isEqualTo("seedlm on-the-fly");
        for (int bt : new int[] {1, batch}) {
            float[] y1 = new float[bt * rows], y2 = new float[bt * rows], y3 = new float[bt * rows];
            fly.forward(x, 0, y1, 0, bt);
            dense.forward(x, 0, y2, 0, bt);
            stepping.forward(x, 0, y3, 0, bt);
            for (int tk = 0; tk < bt; tk++) {
                for (int o = 0; o < rows; o++) {
                    double ref = 0, mag = 0;
                    for (int j = 0; j < cols; j++) {
                        ref += (double) w[o * cols + j] * x[tk * cols + j];
                        mag += Math.abs((double) w[o * cols + j] * x[tk * cols + j]);
                    }
                    assertThat((double) y1[tk * rows + o])
                            .as("on-the-fly row %d batch %d", o, bt)
                            .isCloseTo(ref, Offset.offset(1e-5 * mag + 1e-30));
                    assertThat((double) y3[tk * rows + o])
                            .as("lfsr-stepping row %d batch %d", o, bt)
                            .isCloseTo(ref, Offset.offset(1e-5 * mag + 1e-30));
                    assertThat((double) y2[tk * rows + o])
                            .as("dense row %d", o)
                            .isCloseTo(ref, Offset.offset(1e-5 * mag + 1e-30));
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"8,3,16", "12,4,16", "8,3,17"})
    void packingRoundTrips(int c, int p, int k) {
        var cfg = new SeedLmConfig(c, p, k, ExponentRule.RANGE_FILLING, false);
        SeedLmTensor t = random(7, 29, cfg, 3);
        int n = t.blocks();
        int[] seeds = new int[n];
        for (int i = 0; i < n; i++) seeds[i] = t.seed(i);
        assertThat(SeedLmTensor.unpackBits(SeedLmTensor.packBits(seeds, k), k, n))
                .containsExactly(seeds);
        byte[] codes = new byte[n * p];
        for (int i = 0; i < codes.length; i++) codes[i] = (byte) t.code(i / p, i % p);
        assertThat(SeedLmTensor.unpackNibbles(SeedLmTensor.packNibbles(codes), codes.length, true))
                .containsExactly(codes);
    }
}
