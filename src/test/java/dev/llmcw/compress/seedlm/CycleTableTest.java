package dev.llmcw.compress.seedlm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The cycle-table path rebuilds the same U and the same weights as running the LFSR. */
class CycleTableTest {
    /** Every seed of the cycle, including those whose C·P states wrap past the end of the cycle. */
    @ParameterizedTest
    @CsvSource({"3,4,2", "10,8,2", "12,12,4", "16,8,3", "16,12,4", "12,6,5", "13,16,7"})
    void tableColumnsEqualTheLfsrStatesBitForBit(int k, int c, int p) {
        CycleTable table = CycleTable.of(k, p);
        int n = Lfsr.period(k);
        for (int seed = 1; seed <= n; seed++) {
            double[] ref = Lfsr.normalisedMatrix(seed, k, c, p);
            float[] u = table.u(seed, c);
            for (int i = 0; i < ref.length; i++) {
                if (Float.floatToRawIntBits(u[i]) != Float.floatToRawIntBits((float) ref[i])) {
                    throw new AssertionError("K=" + k + " seed " + seed + " entry " + i + ": " + u[i] + " vs " + ref[i]);
                }
            }
        }
    }

    /** The jump table gives every state the stepping LFSR reaches, bit for bit, for every start state. */
    @ParameterizedTest
    @CsvSource({"3,8", "10,16", "12,24", "16,24", "16,32"})
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
    @CsvSource({"3,4,2", "16,8,3"})
    void worksForTheSpecExampleAndOffsetsMapBack(int k, int c, int p) {
        CycleTable table = CycleTable.of(k, p);
        int[] cycle = Lfsr.cycle(k);
        for (int o = 0; o < cycle.length; o++) assertThat(table.offset(cycle[o])).isEqualTo(o);
        if (k == 3) { // algorithms.md: K = 3, seed 4, C = 4, P = 2 → [[2,5],[6,7],[3,1],[4,2]]
            float[] u = table.u(4, 4);
            int[] v = {2, 5, 6, 7, 3, 1, 4, 2};
            for (int i = 0; i < v.length; i++) assertThat(u[i]).isEqualTo((float) Lfsr.normalise(v[i], 3));
        }
    }

    /** Weights rebuilt by the on-the-fly layer from the table vs the LFSR decode (double), within float rounding. */
    @ParameterizedTest
    @CsvSource({"8,3,16,9,53", "12,4,16,5,70", "8,2,12,7,16", "16,4,12,3,33", "6,5,10,4,25"})
    void decodedRowsMatchTheLfsrDecode(int c, int p, int k, int rows, int cols) {
        var cfg = new SeedLmConfig(c, p, k, ExponentRule.RANGE_FILLING, false);
        SeedLmTensor t = SeedLmLinearTest.random(rows, cols, cfg, 17);
        float[] ref = t.decode();
        var fly = new SeedLmLinear(t);
        float[] row = new float[cols];
        for (int o = 0; o < rows; o++) {
            fly.decodeRow(o, row, 0);
            for (int j = 0; j < cols; j++) {
                int blk = o * t.blocksPerRow() + j / c;
                double mag = 0; // Σ_i |t̂_i| ≥ Σ_i |U_ri t̂_i|: float rounding is relative to this, not to the (cancelling) sum
                for (int i = 0; i < p; i++) mag += Math.abs(CoefficientQuantizer.value(t.code(blk, i), t.exponent(blk)));
                assertThat(row[j]).as("row %d col %d", o, j).isCloseTo(ref[o * cols + j], within((float) (1e-6 * mag)));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"16,3", "12,4"})
    void storageBytesCountThePackedBlocksOnly(int k, int p) {
        var cfg = new SeedLmConfig(8, p, k, ExponentRule.RANGE_FILLING, false);
        SeedLmTensor t = SeedLmLinearTest.random(10, 20, cfg, new Random(1).nextLong());
        var fly = new SeedLmLinear(t);
        if (p <= 3) { // jump mode: 4 bytes per block, rows padded to the 16 SIMD lanes (padding rows are read too)
            int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
            assertThat(fly.storageBytes()).isEqualTo((10L + lanes - 1) / lanes * lanes * 3 * 4);
            assertThat(fly.sharedTableBytes()).isEqualTo(4L << k);
        } else {
            assertThat(fly.storageBytes()).isEqualTo(10L * 3 * 8);
            assertThat(fly.sharedTableBytes()).isEqualTo(CycleTable.of(k, p).bytes()).isLessThan(600_000);
        }
    }
}
