package dev.llmcw.compress.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.llmcw.TestData;
import dev.llmcw.compress.linalg.Dense;
import dev.llmcw.engine.DenseLinear;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.F32Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationTest {
    @Test
    void accumulatorSumsOuterProductsInDouble() {
        int n = 13, tokens = 40;
        Random r = new Random(1);
        float[] x = new float[tokens * n];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        var acc = new HessianAccumulator(n);
        acc.add(x, 0, 25);
        acc.add(x, 25 * n, 15);
        DMatrixRMaj xm = new DMatrixRMaj(tokens, n);
        for (int i = 0; i < x.length; i++) xm.data[i] = x[i];
        DMatrixRMaj expect = Dense.multTransA(xm, xm);
        DMatrixRMaj mean = acc.mean();
        for (int i = 0; i < n * n; i++) assertThat(mean.data[i]).isCloseTo(expect.data[i] / tokens, offset(1e-12));
        DMatrixRMaj reg = acc.regularisedForCaldera();
        double md = 0;
        for (int i = 0; i < n; i++) md += mean.get(i, i) / n;
        assertThat(reg.get(2, 3)).isCloseTo(mean.get(2, 3) / md, offset(1e-12));
        assertThat(reg.get(4, 4)).isCloseTo(mean.get(4, 4) / md + 0.01, offset(1e-12));
        assertThat(acc.forGptq().get(1, 2)).isCloseTo(2 * mean.get(1, 2), offset(1e-12));
    }

    @Test
    void capturingLinearDelegatesAndCaptures() {
        float[] w = {1, 2, 3, 4, 5, 6};
        var base = new DenseLinear(F32Tensor.of(w, 2, 3));
        var acc = new HessianAccumulator(3);
        var cap = new CapturingLinear(base, acc);
        float[] x = {1, -1, 2}, y = new float[2], y2 = new float[2];
        cap.forward(x, y);
        base.forward(x, y2);
        assertThat(y).containsExactly(y2);
        assertThat(acc.count()).isEqualTo(1);
        assertThat(acc.mean().get(0, 2)).isEqualTo(2.0);
    }

    @Test
    void capturesEveryBlockLinearOfTheRealModelWithoutChangingIt() throws Exception {
        Model model = ModelLoader.load(TestData.stories260K());
        int[] seq = {1, 400, 300, 200, 100, 50, 60, 70};
        HessianSet set = Calibration.capture(model, List.of(seq, seq.clone()), Calibration.ENGINE, "test", null, null);
        assertThat(set.groups()).hasSize(model.config().nLayers() * 4);
        for (HessianAccumulator a : set.groups().values()) assertThat(a.count()).isEqualTo(2L * seq.length);
        assertThat(set.forWeight(WeightNames.q(2))).isSameAs(set.forWeight(WeightNames.v(2)));
        assertThat(set.forWeight(WeightNames.gate(2))).isSameAs(set.forWeight(WeightNames.up(2)));
        assertThat(set.forWeight(WeightNames.down(0)).size())
                .isEqualTo(model.config().hiddenDim());
        // The decorated model computes the same logits as the original.
        var inst = Calibration.instrument(model);
        float[][] a = new LlamaEngine(model).logits(seq), b = new LlamaEngine(inst.getKey()).logits(seq);
        assertThat(b[seq.length - 1]).containsExactly(a[seq.length - 1]);
        DMatrixRMaj h = set.forWeight(WeightNames.o(1)).mean();
        for (int i = 0; i < h.numRows; i++) {
            assertThat(h.get(i, i)).isGreaterThanOrEqualTo(0);
            for (int j = 0; j < i; j++) assertThat(h.get(i, j)).isEqualTo(h.get(j, i));
        }
        // Spot check: the attention input of layer 0 is RMSNorm(embedding) ⊙ weight.
        float[] emb = model.tensor(WeightNames.EMBED).toFloatArray(),
                g = model.tensor(WeightNames.attnNorm(0)).toFloatArray();
        int d = model.config().dim();
        double[] sum00 = new double[1];
        for (int t : seq) {
            double ss = 0;
            for (int i = 0; i < d; i++) ss += emb[t * d + i] * emb[t * d + i];
            double inv = 1 / Math.sqrt(ss / d + model.config().rmsEps());
            double x0 = emb[t * d] * inv * g[0];
            sum00[0] += x0 * x0;
        }
        assertThat(set.forWeight(WeightNames.k(0)).mean().get(0, 0))
                .isCloseTo(sum00[0] / seq.length, offset(1e-4 * sum00[0]));
    }

    @Test
    void cacheRoundTrips(@TempDir Path dir) throws Exception {
        var a = new HessianAccumulator(4);
        a.add(new float[] {1, 2, 3, 4, 0, 1, 0, 1}, 0, 2);
        var set = new HessianSet(Map.of("0.attn_in", a), "demo");
        var cache = new HessianCache(dir);
        String key = HessianCache.key("m", "c", 2, 4);
        assertThat(cache.has(key)).isFalse();
        cache.save(key, set);
        assertThat(cache.has(key)).isTrue();
        var back = cache.load(key);
        assertThat(back.description()).isEqualTo("demo");
        assertThat(back.groups().get("0.attn_in").rawSum()).containsExactly(a.rawSum());
        assertThat(back.groups().get("0.attn_in").count()).isEqualTo(2);
        assertThat(HessianCache.key("m", "c", 2, 5)).isNotEqualTo(key);
        Files.write(cache.folder(key).resolve("0.attn_in.h"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> cache.load(key)).hasMessageContaining("0.attn_in.h");
    }

    @Test
    void shortCalibrationFileIsReportedWithItsName(@TempDir Path dir) throws Exception {
        Model model = ModelLoader.load(TestData.stories260K());
        Path f = dir.resolve("calib.txt");
        Files.writeString(f, "Once upon a time there was a cat.");
        assertThat(Calibration.sequences(f, model.tokenizer(), 1, 4)).hasSize(1);
        assertThat(Calibration.sequences(f, model.tokenizer(), 1, 4).get(0)[0])
                .isEqualTo(model.tokenizer().bosId());
        assertThatThrownBy(() -> Calibration.sequences(f, model.tokenizer(), 50, 64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("calib.txt");
    }
}
