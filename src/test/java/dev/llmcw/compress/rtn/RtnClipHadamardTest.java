package dev.llmcw.compress.rtn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.quant.PerTensorCompression;
import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.compress.quant.ScalarBlockQuantizer;
import dev.llmcw.compress.quant.WeightRotation;
import dev.llmcw.engine.DenseLinear;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Linear;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The baselines' optional MSE clipping and Hadamard rotation (CALDERA's tools). */
class RtnClipHadamardTest {
    private static double[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = r.nextGaussian();
        return w;
    }

    private static double error(double[] w, double[] q) {
        double s = 0;
        for (int i = 0; i < w.length; i++) s += (w[i] - q[i]) * (w[i] - q[i]);
        return s;
    }

    @Test
    void mseClippingHasLowerErrorThanMinMax() {
        int rows = 48, cols = 256;
        double[] w = gaussian(rows * cols, 1);
        for (int bits : new int[] {2, 3, 4}) {
            double plain = error(w, Rtn.quantize(w, rows, cols, bits, 64, false).dequantize());
            double mse =
                    error(w, Rtn.quantize(w, rows, cols, bits, 64, false, true).dequantize());
            assertThat(mse).as(bits + " bits").isLessThan(plain);
        }
    }

    @Test
    void hadamardLayerAppliesTheDequantizedRotatedWeights(@TempDir Path dir) throws Exception {
        int rows = 24, cols = 40; // 40 = 8·5: a power of two times an odd block
        float[] w = new float[rows * cols];
        double[] wd = gaussian(rows * cols, 2);
        for (int i = 0; i < w.length; i++) w[i] = (float) wd[i];
        String name = WeightNames.q(0);
        var method = new RtnMethod(2, 8, false, true, true);
        SafetensorsWriter part = new SafetensorsWriter();
        var outcome = method.compressTensor(null, name, w, rows, cols, part, ProgressListener.NONE, null);
        part.metadata(CompressedFormat.KEY_METHOD, "rtn");
        Path file = dir.resolve("p.safetensors");
        part.write(file);
        SafetensorsFile f = SafetensorsFile.open(file);
        var cfg = new ModelConfig(
                "llama", cols, 64, 1, 1, 1, 8, 40, 64, 1e-5f, 10000f, RopeLayout.INTERLEAVED, null, true, false);

        // dense reference: Ŵ = T_mᵀ·dequantize(codes)·T_n
        var s = QuantizerIO.readScalar(f, name + ".rtn");
        double[] wHat = ScalarBlockQuantizer.decode(s.grid(), s.codes());
        WeightRotation.read(f, name + ".rtn", rows, cols).unrotate(wHat);
        float[] wf = new float[wHat.length];
        for (int i = 0; i < wf.length; i++) wf[i] = (float) wHat[i];
        Linear dense = new DenseLinear(F32Tensor.of(wf, rows, cols));

        Linear fly = GroupQuantFormat.RTN.linears(f, cfg, true).get(name);
        assertThat(fly).isInstanceOf(RotatedLinear.class);
        float[] x = new float[3 * cols], y1 = new float[3 * rows], y2 = new float[3 * rows];
        Random r = new Random(4);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        fly.forward(x, 0, y1, 0, 3);
        dense.forward(x, 0, y2, 0, 3);
        for (int i = 0; i < y1.length; i++) assertThat(y1[i]).isCloseTo(y2[i], offset(1e-5f * (1 + Math.abs(y2[i]))));
        // the decoded (not on-the-fly) path gives the same weights, and the reported error is against the original W
        float[] decoded = ((DenseLinear)
                        GroupQuantFormat.RTN.linears(f, cfg, false).get(name))
                .weight()
                .toFloatArray();
        assertThat(decoded).containsExactly(wf);
        assertThat(outcome.relativeError()).isCloseTo(PerTensorCompression.relativeError(w, wHat), offset(1e-12));
        assertThat(f.has(name + ".rtn.hadamard")).isTrue();
    }
}
