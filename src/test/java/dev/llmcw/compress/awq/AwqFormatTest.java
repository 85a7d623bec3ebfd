package dev.llmcw.compress.awq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.compress.quant.UniformGrid;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.ModelLoadException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AWQ layer computes Q(W·diag(s))·(x/s) in both decode paths; broken input scales are refused by name. */
class AwqFormatTest {
    private static final int ROWS = 6, COLS = 40;

    @TempDir
    Path dir;

    private static ModelConfig config() {
        // only nLayers matters to the format: it looks up the block linears of one layer
        return new ModelConfig(
                "llama", COLS, COLS, 1, 1, 1, COLS, 32, 64, 1e-5f, 10000f, RopeLayout.INTERLEAVED, null, false, false);
    }

    private Path file(float[] scales) throws Exception {
        Random r = new Random(3);
        double[] w = new double[ROWS * COLS];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
        double[] s = new double[COLS];
        for (int c = 0; c < COLS; c++) s[c] = scales.length == COLS ? scales[c] : 1;
        var q = AwqQuantizer.quantize(w, ROWS, COLS, s, 4, 16, null);
        var wr = new SafetensorsWriter();
        String p = WeightNames.q(0) + ".awq";
        QuantizerIO.writeScalar(wr, p, q.grid(), q.codes());
        wr.add(p + AwqMethod.INPUT_SCALES, DType.F16, new long[] {scales.length}, scales);
        Path f = dir.resolve("awq.safetensors");
        wr.write(f);
        return f;
    }

    @Test
    void bothPathsComputeTheScaledLayer() throws Exception {
        float[] s = new float[COLS];
        for (int c = 0; c < COLS; c++) s[c] = 0.5f + c / 16f;
        var f = SafetensorsFile.open(file(s));
        var onTheFly = new AwqFormat().linears(f, config(), true).get(WeightNames.q(0));
        var dense = new AwqFormat().linears(f, config(), false).get(WeightNames.q(0));
        var q = QuantizerIO.readScalar(f, WeightNames.q(0) + ".awq");
        UniformGrid g = q.grid();
        float[] x = new float[COLS], a = new float[ROWS], b = new float[ROWS];
        for (int c = 0; c < COLS; c++) x[c] = (float) Math.sin(c);
        onTheFly.forward(x, 0, a, 0, 1);
        dense.forward(x, 0, b, 0, 1);
        for (int r = 0; r < ROWS; r++) {
            double want = 0;
            for (int c = 0; c < COLS; c++) want += g.value(r, c, q.codes()[r * COLS + c]) * (x[c] / (double) s[c]);
            assertThat((double) a[r]).isCloseTo(want, within(1e-4));
            assertThat((double) b[r]).isCloseTo(want, within(1e-4));
        }
        assertThat(onTheFly.storageBytes()).isEqualTo(QuantizerIO.scalarBits(ROWS, COLS, 4, 16, false) / 8 + 2L * COLS);
    }

    @Test
    void missingWrongOrNonPositiveScalesAreNamed() throws Exception {
        Path wrongLength = file(new float[COLS - 1]);
        assertThatThrownBy(() -> new AwqFormat().linears(SafetensorsFile.open(wrongLength), config(), true))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(wrongLength.toString())
                .hasMessageContaining(
                        "model.layers.0.self_attn.q_proj.weight.awq.input_scales has 39 values, expected 40");
        float[] zero = new float[COLS];
        Arrays.fill(zero, 1f);
        zero[7] = 0;
        Path zeros = file(zero);
        assertThatThrownBy(() -> new AwqFormat().linears(SafetensorsFile.open(zeros), config(), false))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("holds 0.0 at column 7; input scales must be positive");
    }
}
