package dev.llmcw.compress.seedlm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The jump-table path rebuilds the same LFSR states and the same weights as running the LFSR. */
class LfsrJumpTableTest {
    /** Every start state and every step up to n, bit for bit (covers states near the end of the cycle: no wrap special case). */
    @ParameterizedTest
    @CsvSource({"3,8", "10,16", "12,24", "16,24", "16,32", "16,5"})
    void jumpTableStatesEqualSteppingTheLfsr(int k, int n) {
        LfsrJumpTable jt = LfsrJumpTable.of(k, n);
        int mask = Lfsr.tapMask(k);
        for (int seed = 1; seed < 1 << k; seed++) {
            int s = seed;
            for (int j = 1; j <= n; j++) {
                s = Lfsr.step(s, k, mask);
                if (jt.stateAfter(seed, j) != s) throw new AssertionError("K=" + k + " seed " + seed + " step " + j);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"3,4,2", "16,8,3", "12,8,3"})
    void rebuildsTheSpecMatrices(int k, int c, int p) {
        LfsrJumpTable jt = LfsrJumpTable.of(k, c * p);
        for (int seed = 1; seed < 1 << k; seed += k == 3 ? 1 : 97) {
            int[][] v = Lfsr.matrix(seed, k, c, p);
            for (int r = 0; r < c; r++)
                for (int i = 0; i < p; i++)
                    assertThat(jt.stateAfter(seed, 1 + r * p + i)).isEqualTo(v[r][i]);
        }
        if (k == 3)
            assertThat(jt.stateAfter(4, 1)).isEqualTo(2); // algorithms.md: K = 3, seed 4 → 2, 5, 6, 7, 3, 1, 4, 2
    }

    /** Weights rebuilt from the jump table (the batch path) vs the LFSR decode in double, within float rounding. */
    @ParameterizedTest
    @CsvSource({"8,3,16,9,53,false", "8,2,12,7,16,false", "4,3,10,20,33,true", "8,3,16,17,300,true"})
    void decodedRowsMatchTheLfsrDecode(int c, int p, int k, int rows, int cols, boolean scale) {
        var cfg = new SeedLmConfig(c, p, k, ExponentRule.RANGE_FILLING, scale);
        assertThat(SeedLmLinear.jumpKernelFits(cfg)).isTrue();
        SeedLmTensor t = SeedLmLinearTest.random(rows, cols, cfg, 17);
        float[] ref = t.decode();
        var fly = new SeedLmLinear(t);
        float[] row = new float[cols];
        for (int o = 0; o < rows; o++) {
            fly.decodeRow(o, row, 0);
            for (int j = 0; j < cols; j++) {
                int blk = o * t.blocksPerRow() + j / c;
                double mag =
                        0; // Σ_i |t̂_i| ≥ Σ_i |U_ri t̂_i|: float rounding is relative to this, not to the (cancelling)
                // sum
                for (int i = 0; i < p; i++)
                    mag += Math.abs(t.scale() * CoefficientQuantizer.value(t.code(blk, i), t.exponent(blk)));
                assertThat(row[j]).as("row %d col %d", o, j).isCloseTo(ref[o * cols + j], within((float) (1e-6 * mag)));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"16,3", "12,4"})
    void storageBytesCountThePackedBlocksOnly(int k, int p) {
        var cfg = new SeedLmConfig(8, p, k, ExponentRule.RANGE_FILLING, false);
        SeedLmTensor t = SeedLmLinearTest.random(10, 20, cfg, 5);
        var fly = new SeedLmLinear(t);
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        long padded = (10L + lanes - 1) / lanes * lanes; // rows padded to the SIMD width are read too
        if (p <= 3) {
            assertThat(fly.storageBytes()).isEqualTo(padded * 3 * 4);
            assertThat(fly.sharedTableBytes()).isEqualTo(4L << k);
        } else { // stepping kernel: seed and word as two ints
            assertThat(fly.storageBytes()).isEqualTo(padded * 3 * 8);
            assertThat(fly.sharedTableBytes()).isZero();
        }
    }
}
