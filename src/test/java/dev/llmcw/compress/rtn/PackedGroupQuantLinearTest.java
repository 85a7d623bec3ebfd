package dev.llmcw.compress.rtn;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import dev.llmcw.TestData;
import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.compress.gptq.Gptq;
import dev.llmcw.compress.gptq.GptqMethod;
import dev.llmcw.compress.quant.PackedGroupCodes;
import dev.llmcw.compress.quant.PackedGroupIntegerKernels;
import dev.llmcw.compress.quant.PackedGroupKernels;
import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.compress.quant.UniformGrid;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Q8Activations;
import dev.llmcw.tensor.gemm.ParallelGemm;
import dev.llmcw.testing.RetainedArrays;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RTN and GPTQ layers run from their packed codes: the outputs of the layer that kept one value per code
 * (reimplemented here from the unpacked file contents) — bit for bit where the scalar loop still runs (5–8
 * bits, fewer than four tokens), within float rounding (1e-5 of Σ|w·x|) where the vector kernels of 1–4 bits
 * sum in lanes (their own bit-for-bit check is PackedGroupKernelsTest) and where batches of four tokens or more
 * run the blocked GEMM (bit for bit that GEMM over the dense decode's values) —, the arrays a layer keeps within
 * 10 % of its stored size, and loading allocates less than the stored size plus half a byte per weight (an
 * array of one byte or int per code, or a dense float copy, would allocate more than that alone).
 */
class PackedGroupQuantLinearTest {
    @TempDir
    Path dir;

    @Test
    void rtnAndGptqLayersOfStories260KMatchTheUnpackedLayerAndStayPacked() throws Exception {
        Model src = ModelLoader.load(TestData.stories260K());
        CalibrationSpec calib = CalibrationSpec.of(
                TestData.require("datasets/tinystories/tinystories_val_subset.txt"), 4, 64, dir.resolve("cache"));
        check(src, new RtnMethod(4, 32, false), GroupQuantFormat.RTN, "rtn4");
        check(src, new RtnMethod(2, 16, true), GroupQuantFormat.RTN, "rtn2sym");
        check(src, new RtnMethod(6, 32, false), GroupQuantFormat.RTN, "rtn6");
        check(src, new GptqMethod(3, 32, false, false, Gptq.DEFAULT_DAMP, calib), GroupQuantFormat.GPTQ, "gptq3");
    }

    private void check(Model src, CompressionMethod method, GroupQuantFormat format, String tag) throws Exception {
        Path out = dir.resolve(tag + ".safetensors");
        method.compress(src, out, dir.resolve(tag + ".work"), null, null);
        SafetensorsFile file = SafetensorsFile.open(out);
        format.linears(file, src.config(), true); // warm-up: class loading allocates on this thread too
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        Map<String, Linear> layers = format.linears(file, src.config(), true);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        long stored = 0, weights = 0;
        Random rnd = new Random(7);
        for (var e : layers.entrySet()) {
            GroupQuantLinear l = (GroupQuantLinear) e.getValue();
            stored += l.storageBytes();
            weights += (long) l.inFeatures() * l.outFeatures();
            long retained = RetainedArrays.bytes(l);
            assertThat(retained).as(tag + " " + e.getKey() + " retained arrays").isEqualTo(l.residentBytes());
            assertThat((double) retained).as(tag + " " + e.getKey()).isLessThanOrEqualTo(1.1 * l.storageBytes());
            var unpacked = QuantizerIO.readScalar(file, e.getKey() + "." + format.method());
            checkSlicesDecodeAsValues(l.packed(), rnd);
            for (int batch : new int[] {1, 3, 5, 19}) {
                float[] x = new float[batch * l.inFeatures() + 3];
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                float[] got = new float[batch * l.outFeatures()], want = got.clone(), magnitude = got.clone();
                l.forward(x, 3, got, 0, batch);
                unpackedForward(unpacked.grid(), unpacked.codes(), x, 3, want, magnitude, batch);
                boolean lanes = PackedGroupKernels.supports(unpacked.grid().bits());
                boolean integer = PackedGroupIntegerKernels.handles(l.packed(), batch);
                float[] rounding = integer
                        ? activationRounding(unpacked.grid(), unpacked.codes(), x, 3, batch)
                        : new float[got.length];
                boolean gemm = batch >= GroupQuantLinear.GEMM_FROM;
                if (gemm) { // prefill: the blocked GEMM over the dense decode's values, bit for bit
                    float[] dense = new float[got.length];
                    PackedGroupCodes p = l.packed();
                    ParallelGemm.multiply(
                            (off, dst, o, n) -> {
                                for (int j = 0; j < n; j++) dst[o + j] = p.value(off + j);
                            },
                            p.rows(),
                            null,
                            ParallelGemm.packPanel(x, 3, p.cols(), batch),
                            dense,
                            0);
                    for (int i = 0; i < got.length; i++)
                        assertThat(Float.floatToIntBits(got[i]))
                                .as(tag + " " + e.getKey() + " GEMM batch " + batch + " output " + i)
                                .isEqualTo(Float.floatToIntBits(dense[i]));
                } else if (!integer && lanes) { // other widths: the float kernel itself, bit for bit
                    float[] kernel = new float[got.length];
                    PackedGroupKernels.forward(l.packed(), x, 3, kernel, 0, batch);
                    for (int i = 0; i < got.length; i++)
                        assertThat(Float.floatToIntBits(got[i])).isEqualTo(Float.floatToIntBits(kernel[i]));
                }
                for (int i = 0; i < got.length; i++) {
                    if (lanes || gemm)
                        assertThat(got[i])
                                .as(tag + " " + e.getKey() + " batch " + batch + " output " + i)
                                .isCloseTo(want[i], Offset.offset(rounding[i] + 1e-5f * magnitude[i] + 1e-6f));
                    else
                        assertThat(Float.floatToIntBits(got[i]))
                                .as(tag + " " + e.getKey() + " batch " + batch + " output " + i)
                                .isEqualTo(Float.floatToIntBits(want[i]));
                }
            }
        }
        assertThat(layers).hasSize(7 * src.config().nLayers());
        // the packed arrays plus half a byte per weight for the file's index and small objects (measured
        // 2026-12-07: 66 KB over the stored size for RTN 4-bit); one byte per code alone would exceed it
        assertThat(allocated).as(tag + " bytes allocated by loading").isLessThan(stored + weights / 2);
    }

    /** The GEMM's weight slices: any run of a row decodes to exactly {@link PackedGroupCodes#value}. */
    private static void checkSlicesDecodeAsValues(PackedGroupCodes p, Random rnd) {
        for (int k = 0; k < 20; k++) {
            int r = rnd.nextInt(p.rows()), c = rnd.nextInt(p.cols()), n = 1 + rnd.nextInt(p.cols() - c);
            long off = (long) r * p.cols() + c;
            float[] got = new float[n + 2];
            p.toFloat(off, got, 2, n);
            for (int j = 0; j < n; j++)
                assertThat(Float.floatToIntBits(got[2 + j]))
                        .as("row %d column %d", r, c + j)
                        .isEqualTo(Float.floatToIntBits(p.value(off + j)));
        }
    }

    /**
     * Per output, the most the Q8 rounding of the input can move an integer-path result: Σ_blocks d_x/2 ·
     * Σ|w| over the block (x − q·d_x is at most d_x/2 per element).
     */
    private static float[] activationRounding(UniformGrid grid, int[] codes, float[] x, int xOff, int batch) {
        int in = grid.cols(), out = grid.rows(), gs = grid.groupSize(), groups = grid.groups();
        Q8Activations a = Q8Activations.quantize(x, xOff, in, batch);
        float[] bound = new float[batch * out];
        for (int t = 0; t < batch; t++)
            for (int r = 0; r < out; r++) {
                double b = 0;
                for (int c = 0; c < in; c++) {
                    int gi = r * groups + c / gs;
                    double w = (double) grid.scales()[gi] * (codes[r * in + c] - grid.zeros()[gi]);
                    b += Math.abs(w) * a.scale(t, c / Q8Activations.BLOCK) / 2;
                }
                bound[t * out + r] = (float) (b * (1 + 1e-5));
            }
        return bound;
    }

    /** The layer as it was with one value per code (sums in the same order): the bit-for-bit reference. */
    private static void unpackedForward(
            UniformGrid grid, int[] codes, float[] x, int xOff, float[] y, float[] magnitude, int batch) {
        int in = grid.cols(), out = grid.rows(), gs = grid.groupSize(), groups = grid.groups();
        float[] gsum = new float[batch * groups];
        for (int t = 0; t < batch; t++) for (int c = 0; c < in; c++) gsum[t * groups + c / gs] += x[xOff + t * in + c];
        for (int r = 0; r < out; r++) {
            for (int t = 0; t < batch; t++) {
                float acc = 0, mag = 0;
                for (int g = 0; g < groups; g++) {
                    float s = 0;
                    for (int c = g * gs; c < Math.min(in, g * gs + gs); c++)
                        s += codes[r * in + c] * x[xOff + t * in + c];
                    int gi = r * groups + g;
                    acc += grid.scales()[gi] * (s - grid.zeros()[gi] * gsum[t * groups + g]);
                    for (int c = g * gs; c < Math.min(in, g * gs + gs); c++)
                        mag += Math.abs(
                                grid.scales()[gi] * (codes[r * in + c] - grid.zeros()[gi]) * x[xOff + t * in + c]);
                }
                y[t * out + r] = acc;
                magnitude[t * out + r] = mag;
            }
        }
    }
}
