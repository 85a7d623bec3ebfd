package dev.llmcw.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Decode-sized products pair distant rows (prefetch-friendly); every row must still be computed exactly once, exactly. */
class DenseLinearTest {

    @Test
    void rowPairsCoverEveryRowOnce() {
        for (int out = 1; out <= 3 * 2 * DenseLinear.PAIR_DISTANCE + 5; out++) {
            int[] seen = new int[out];
            int pairs = (out + 1) / 2;
            for (int p = 0; p < pairs; p++) {
                int a = DenseLinear.pairFirstRow(p), b = DenseLinear.pairSecondRow(p, out);
                assertThat(a).as("out %d pair %d", out, p).isBetween(0, out - 1);
                seen[a]++;
                if (b >= 0) {
                    assertThat(b).isGreaterThan(a).isLessThan(out);
                    seen[b]++;
                }
            }
            for (int o = 0; o < out; o++)
                assertThat(seen[o]).as("out %d row %d", out, o).isEqualTo(1);
        }
    }

    @Test
    void fullBlocksPairRowsHalfABlockApart() {
        int d = DenseLinear.PAIR_DISTANCE;
        assertThat(DenseLinear.pairFirstRow(0)).isZero();
        assertThat(DenseLinear.pairSecondRow(0, 1000)).isEqualTo(d);
        assertThat(DenseLinear.pairFirstRow(d + 3)).isEqualTo(2 * d + 3);
        assertThat(DenseLinear.pairSecondRow(d + 3, 1000)).isEqualTo(3 * d + 3);
    }

    @Test
    void matvecEqualsOneDotPerRowBitForBit() {
        Random rnd = new Random(7);
        for (int out : new int[] {1, 2, 31, 33, 64, 77}) {
            int in = 40;
            MemorySegment seg = Arena.ofAuto().allocate(4L * out * in);
            for (long i = 0; i < (long) out * in; i++)
                seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) rnd.nextGaussian());
            Tensor w = new F32Tensor(new long[] {out, in}, seg);
            float[] bias = new float[out];
            for (int o = 0; o < out; o++) bias[o] = o * 0.25f;
            float[] x = new float[in];
            for (int i = 0; i < in; i++) x[i] = (float) rnd.nextGaussian();
            float[] y = new float[out];
            new DenseLinear(w, bias).forward(x, y);
            for (int o = 0; o < out; o++) {
                assertThat(y[o]).as("out %d row %d", out, o).isEqualTo(w.dot((long) o * in, x, 0, in) + bias[o]);
            }
        }
    }
}
