package dev.llmcw.compress.caldera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.llmcw.TestData;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.calibration.Calibration;
import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.compress.rtn.Rtn;
import dev.llmcw.compress.rtn.RtnMethod;
import dev.llmcw.engine.DenseLinear;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Linear;
import dev.llmcw.testing.Slow;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CalderaFileTest {
    @ParameterizedTest
    @CsvSource({"scalar,2,4,8,true", "scalar,3,16,4,false", "e8p,2,4,8,true", "e8p,2,16,8,true", "scalar,2,4,0,true"})
    void saveLoadGivesTheSameWeightsAndTheFactoredLinearMatchesDense(
            String quantizer, int qBits, int lrBits, int rank, boolean hadamard, @TempDir Path dir) {
        int m = 24, n = 40;
        double[] w = CalderaTest.randomMatrix(m, n, 3).data;
        var o = new CalderaOptions(
                qBits,
                lrBits,
                rank,
                2,
                2,
                hadamard,
                quantizer,
                99,
                true,
                CalderaOptions.ROW,
                0,
                false,
                CalderaOptions.LR_FIRST);
        var res = Caldera.decompose(w, m, n, Caldera.prepare(CalderaTest.hessian(n, 4), o), o, "t.weight", null, null);
        SafetensorsWriter sw = new SafetensorsWriter().metadata("workbench.params", Json.write(o.asMap()));
        CalderaMethod.write(sw, "t.weight", res);
        Path f = dir.resolve("t.safetensors");
        try {
            sw.write(f);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
        SafetensorsFile file = SafetensorsFile.open(f);
        var stored = CalderaFormat.read(file, "t.weight");
        double[] back = CalderaFormat.decode(stored, CalderaFormat.seed(file));
        assertThat(back).containsExactly(res.decode(), offset(1e-9));
        Linear fly = CalderaFormat.linear(stored, 99, true), dense = CalderaFormat.linear(stored, 99, false);
        assertThat(dense).isInstanceOf(DenseLinear.class);
        float[] x = new float[3 * n], y1 = new float[3 * m], y2 = new float[3 * m];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        fly.forward(x, 0, y1, 0, 3);
        dense.forward(x, 0, y2, 0, 3);
        for (int i = 0; i < y1.length; i++) assertThat(y1[i]).isCloseTo(y2[i], offset(1e-4f * (1 + Math.abs(y2[i]))));
        assertThat(fly.storageBytes()).isLessThan(4L * m * n);
    }

    @Slow
    @Test
    void compressesTheRealModelEndToEnd(@TempDir Path dir) throws Exception {
        Model model = ModelLoader.load(TestData.stories260K());
        int[] seq = model.tokenizer()
                .encode(
                        "Once upon a time, there was a little girl named Lily. She liked to play outside with her dog.");
        var set = Calibration.capture(model, List.of(seq), Calibration.ENGINE, "test sentence", null, null);
        var method = new CalderaMethod(
                new CalderaOptions(
                        2, 4, 4, 2, 2, true, "scalar", 5, false, CalderaOptions.ROW, 0, false, CalderaOptions.LR_FIRST),
                CalibrationSpec.precomputed(set));
        var est = method.estimate(model);
        // Block linears: 5 layers × (q,o 64×64; k,v 32×64; gate,up,down 64·172); 2-bit Q plus rank-4 4-bit factors.
        long params = 5L * (2 * 64 * 64 + 2 * 32 * 64 + 3 * 64 * 172);
        assertThat(est.compressedParams()).isEqualTo(params);
        // Exact accounting: Σ [2·mn + m(16+2)] (Q codes, per-row FP16 scale + 2-bit zero)
        //   + Σ [4·k(m+n) + (m+k)(16+4)] (L, R codes and per-row scale/zero) + Σ (32 + 128) (RMS scale, header ints).
        var c = model.config();
        int[][] shapes = {
            {c.qDim(), c.dim()},
            {c.kvDim(), c.dim()},
            {c.kvDim(), c.dim()},
            {c.dim(), c.qDim()},
            {c.hiddenDim(), c.dim()},
            {c.hiddenDim(), c.dim()},
            {c.dim(), c.hiddenDim()}
        };
        long bits = 0;
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = 4;
            bits += 2L * m * n + m * 18L + 4L * k * (m + n) + (long) (m + k) * 20 + 192;
        }
        bits *= c.nLayers();
        assertThat(est.bitsPerCompressedWeight()).isCloseTo((double) bits / params, offset(1e-12));
        // The paper's formula B_Q + B_LR·k·Σ(m+n)/Σmn is the bulk of it.
        long sumMPlusN = 0;
        for (int[] s : shapes) sumMPlusN += s[0] + s[1];
        double paper = 2 + 4.0 * 4 * sumMPlusN * c.nLayers() / params;
        assertThat(est.bitsPerCompressedWeight())
                .isGreaterThan(paper)
                .isLessThan(paper + 0.7); // per-row scales cost ~(16+b)/64 on rows this short
        Path out = dir.resolve("c.safetensors");
        var bar = Collections.synchronizedList(new ArrayList<long[]>());
        var stages = Collections.synchronizedSet(new TreeSet<String>());
        var rep = method.compress(
                model,
                out,
                dir.resolve("work"),
                (stage, done, total, msg) -> {
                    if (total < 0 || stage.equals("calibration")) return;
                    stages.add(stage);
                    bar.add(new long[] {done, total});
                },
                null);
        assertThat(rep.tensorErrors()).hasSize(35);
        // one progress stage over every tensor's weights, CALDERA's iterations moving it within a tensor's share
        long weights = WeightNames.blockLinearWeights(model.config().nLayers()).stream()
                .mapToLong(name ->
                        (long) model.tensor(name).rows() * model.tensor(name).cols())
                .sum();
        assertThat(stages).containsExactly("caldera");
        assertThat(bar).allSatisfy(p -> assertThat(p[1]).isEqualTo(weights));
        for (int i = 1; i < bar.size(); i++) assertThat(bar.get(i)[0]).isGreaterThanOrEqualTo(bar.get(i - 1)[0]);
        assertThat(bar.getLast()[0]).isEqualTo(weights);
        for (var e : rep.tensorErrors()) assertThat(e.relativeActivationError()).isBetween(0.0, 0.6);
        // The estimate is exact up to the safetensors header.
        long size = Files.size(out);
        assertThat(size).isBetween(est.totalBytes(), est.totalBytes() + 64_000);
        Model fly = CompressedModels.load(out, true), dense = CompressedModels.load(out, false);
        assertThat(fly.linears()).hasSize(35);
        float[][] a = new LlamaEngine(fly).logits(seq),
                b = new LlamaEngine(dense).logits(seq),
                base = new LlamaEngine(model).logits(seq);
        int last = seq.length - 1;
        for (int i = 0; i < a[last].length; i++) assertThat(a[last][i]).isCloseTo(b[last][i], offset(2e-3f));
        // Compressed, so not identical, but still close to the original next-token distribution.
        assertThat(argmaxAgreement(base, b)).isGreaterThanOrEqualTo(0.2); // 2-bit, one calibration sentence
        // Resume: a second run reuses every part file.
        var rep2 = method.compress(model, dir.resolve("c2.safetensors"), dir.resolve("work"), null, null);
        assertThat(Files.mismatch(out, dir.resolve("c2.safetensors"))).isEqualTo(-1L);
        assertThat(rep2.tensorErrors()).isEqualTo(rep.tensorErrors());
        // Other parameters in the same work folder: nothing stale is reused.
        var other = new CalderaMethod(
                new CalderaOptions(
                        3, 4, 4, 1, 1, true, "scalar", 5, false, CalderaOptions.ROW, 0, false, CalderaOptions.LR_FIRST),
                CalibrationSpec.precomputed(set));
        var rep3 = other.compress(model, dir.resolve("c3.safetensors"), dir.resolve("work"), null, null);
        assertThat(rep3.tensorErrors().get(0).relativeActivationError())
                .isNotEqualTo(rep.tensorErrors().get(0).relativeActivationError());
    }

    @Slow
    @Test
    void e8pPadsWidthsThatAreNotMultiplesOfEight(@TempDir Path dir) throws Exception {
        Model model = ModelLoader.load(TestData.stories260K()); // down_proj has 172 inputs
        int[] seq = model.tokenizer().encode("Once upon a time, there was a little girl named Lily.");
        var set = Calibration.capture(model, List.of(seq), Calibration.ENGINE, "test sentence", null, null);
        var method = new CalderaMethod(
                new CalderaOptions(
                        2, 4, 8, 1, 1, true, "e8p", 5, false, CalderaOptions.ROW, 0, false, CalderaOptions.LR_FIRST),
                CalibrationSpec.precomputed(set));
        Path out = dir.resolve("e.safetensors");
        var rep = method.compress(model, out, dir.resolve("work"), null, null);
        for (var e : rep.tensorErrors()) assertThat(e.relativeActivationError()).isBetween(0.0, 0.5);
        Model fly = CompressedModels.load(out, true), dense = CompressedModels.load(out, false);
        assertThat(dense.linears().get(WeightNames.down(0)).inFeatures()).isEqualTo(172);
        assertThat(fly.linears().get(WeightNames.down(0)).inFeatures()).isEqualTo(172);
        float[][] a = new LlamaEngine(fly).logits(seq), b = new LlamaEngine(dense).logits(seq);
        int last = seq.length - 1;
        for (int i = 0; i < a[last].length; i++) assertThat(a[last][i]).isCloseTo(b[last][i], offset(2e-3f));
        assertThat(Files.size(out))
                .isBetween(
                        method.estimate(model).totalBytes(),
                        method.estimate(model).totalBytes() + 64_000);
    }

    @Test
    void rtnFileRoundTripsAndRunsOnTheFly(@TempDir Path dir) throws Exception {
        Model model = ModelLoader.load(TestData.stories260K());
        var method = new RtnMethod(4, 32, false);
        Path out = dir.resolve("r.safetensors");
        method.compress(model, out, dir.resolve("w"), null, null);
        Model fly = CompressedModels.load(out, true), dense = CompressedModels.load(out, false);
        String name = WeightNames.down(2);
        var t = model.tensor(name);
        double[] wd = new double[(int) t.numel()];
        float[] wf = t.toFloatArray();
        for (int i = 0; i < wd.length; i++) wd[i] = wf[i];
        double[] q = Rtn.quantize(wd, t.rows(), t.cols(), 4, 32, false).dequantize();
        float[] loaded = ((F32Tensor) ((DenseLinear) dense.linears().get(name)).weight()).toFloatArray();
        for (int i = 0; i < q.length; i++) assertThat(loaded[i]).isCloseTo((float) q[i], offset(1e-6f));
        int[] seq = {1, 300, 301, 302, 50};
        float[][] a = new LlamaEngine(fly).logits(seq), b = new LlamaEngine(dense).logits(seq);
        for (int i = 0; i < a[4].length; i++) assertThat(a[4][i]).isCloseTo(b[4][i], offset(1e-3f));
        assertThat(Files.size(out))
                .isBetween(
                        method.estimate(model).totalBytes(),
                        method.estimate(model).totalBytes() + 64_000);
    }

    static double argmaxAgreement(float[][] a, float[][] b) {
        int agree = 0;
        for (int t = 0; t < a.length; t++) if (argmax(a[t]) == argmax(b[t])) agree++;
        return (double) agree / a.length;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
