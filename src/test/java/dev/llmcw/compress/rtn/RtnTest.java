package dev.llmcw.compress.rtn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.compress.quant.UniformGrid;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RtnTest {
    @Test
    void clippedGridNeverLosesToMinMaxOnGaussianRows() {
        int rows = 20, cols = 256;
        Random r = new Random(2);
        double[] w = new double[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        UniformGrid mm = UniformGrid.fit(w, rows, cols, 2, 0, false),
                cl = UniformGrid.fitClipped(w, rows, cols, 2, 0, false);
        double eMm = 0, eCl = 0;
        for (int row = 0; row < rows; row++)
            for (int c = 0; c < cols; c++) {
                double v = w[row * cols + c];
                eMm += Math.pow(v - mm.quantize(row, c, v), 2);
                eCl += Math.pow(v - cl.quantize(row, c, v), 2);
            }
        assertThat(eCl).isLessThan(0.8 * eMm); // 2-bit on Gaussians: clipping helps a lot
    }

    @ParameterizedTest
    @CsvSource({"2,32,false", "3,64,false", "4,128,false", "4,128,true", "8,16,false", "3,50,true"})
    void errorIsAtMostHalfAStepInsideTheRange(int bits, int group, boolean sym) {
        int rows = 7, cols = 200;
        Random r = new Random(bits * 1000L + group);
        double[] w = new double[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian() * (1 + i % 5) + (sym ? 0 : 0.3);
        var res = Rtn.quantize(w, rows, cols, bits, group, sym);
        double[] q = res.dequantize();
        UniformGrid g = res.grid();
        int maxq = (1 << bits) - 1;
        for (int row = 0; row < rows; row++) {
            for (int c = 0; c < cols; c++) {
                int gi = row * g.groups() + c / g.groupSize();
                double scale = g.scales()[gi];
                int zero = g.zeros()[gi];
                double lo = scale * (0 - zero), hi = scale * (maxq - zero);
                double v = w[row * cols + c];
                assertThat(res.codes()[row * cols + c]).isBetween(0, maxq);
                if (v >= lo && v <= hi) {
                    assertThat(Math.abs(v - q[row * cols + c])).isLessThanOrEqualTo(scale / 2 + 1e-9);
                } else {
                    // Only the FP16 rounding of the scale or symmetric clipping of the one-sided end puts values
                    // outside.
                    assertThat(Math.abs(v - q[row * cols + c])).isLessThanOrEqualTo(scale * (sym ? 1.01 : 0.51));
                }
            }
        }
        assertThat(UniformGrid.bitsPerWeight(bits, group, sym)).isEqualTo(bits + (sym ? 16.0 : 16.0 + bits) / group);
    }
}
