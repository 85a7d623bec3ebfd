package dev.llmcw.compress.quant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The packed group-quant kernels against their scalar twin (bit for bit, decode and batch paths), and against
 * the exact product of the decoded matrix in double (float rounding only: |Δ| ≤ 1e-5·Σ|w·x| + 1e-6).
 */
class PackedGroupKernelsTest {
    @ParameterizedTest
    @CsvSource({
        "1,16,64,false",
        "2,64,128,false",
        "2,16,128,true",
        "3,32,96,false",
        "3,128,256,true",
        "4,128,256,false",
        "4,32,100,false",
        "4,12,60,true",
        "3,20,72,false",
        "2,8,8,false",
        "4,256,256,true"
    })
    void kernelsEqualTheirScalarTwinAndTheDecodedProduct(int bits, int groupSize, int cols, boolean symmetric) {
        int rows = 37;
        Random rnd = new Random(bits * 1000L + groupSize + cols);
        double[] w = new double[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian();
        UniformGrid grid = UniformGrid.fit(w, rows, cols, bits, groupSize, symmetric);
        int[] codes = new int[w.length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) codes[r * cols + c] = grid.code(r, c, w[r * cols + c]);
        PackedGroupCodes p = PackedGroupCodes.of(grid, codes);
        for (int batch : new int[] {1, 2, 5}) {
            float[] x = new float[batch * cols + 3];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            float[] got = new float[batch * rows + 1], twin = got.clone();
            PackedGroupKernels.forward(p, x, 3, got, 1, batch);
            PackedGroupKernelsTwin.forward(p, x, 3, twin, 1, batch);
            for (int i = 0; i < got.length; i++)
                assertThat(Float.floatToIntBits(got[i]))
                        .as("batch %d output %d", batch, i)
                        .isEqualTo(Float.floatToIntBits(twin[i]));
            for (int t = 0; t < batch; t++)
                for (int r = 0; r < rows; r++) {
                    double exact = 0, magnitude = 0;
                    for (int c = 0; c < cols; c++) {
                        double v = (double) p.value((long) r * cols + c) * x[3 + t * cols + c];
                        exact += v;
                        magnitude += Math.abs(v);
                    }
                    assertThat((double) got[1 + t * rows + r])
                            .as("batch %d token %d row %d", batch, t, r)
                            .isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-5 * magnitude + 1e-6));
                }
        }
    }

    @ParameterizedTest
    @CsvSource({"2,32", "4,64"})
    void aBatchEqualsOneTokenAtATime(int bits, int groupSize) {
        int rows = 20, cols = 192, batch = 7;
        Random rnd = new Random(11);
        UniformGrid grid = UniformGrid.fit(rnd.doubles(rows * cols).toArray(), rows, cols, bits, groupSize, false);
        int[] codes = rnd.ints(rows * cols, 0, 1 << bits).toArray();
        PackedGroupCodes p = PackedGroupCodes.of(grid, codes);
        float[] x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        float[] all = new float[batch * rows], one = new float[rows];
        PackedGroupKernels.forward(p, x, 0, all, 0, batch);
        for (int t = 0; t < batch; t++) {
            PackedGroupKernels.forward(p, x, t * cols, one, 0, 1);
            for (int r = 0; r < rows; r++)
                assertThat(Float.floatToIntBits(all[t * rows + r])).isEqualTo(Float.floatToIntBits(one[r]));
        }
    }
}
