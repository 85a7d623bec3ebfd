package dev.llmcw.compress.kquant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.compress.calibration.Calibration;
import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.gguf.GgmlQuantizer;
import dev.llmcw.model.gguf.KQuantMix;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kquant on stories260K: llama-quantize's per-tensor types, its exact blocks, exact bits, a usable model. */
class KQuantMethodTest {
    private static byte[] bytes(Tensor t) {
        return t.segment().toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void q4KMOnStories260KStoresLlamaCppBlocksAndEvaluates(@TempDir Path dir) throws Exception {
        Model model = ModelLoader.load(TestData.stories260K());
        var method = MethodRegistry.get("kquant").create(Map.of("type", "Q4_K_M"), dir, dir.resolve("cache"));
        Path out = dir.resolve("q4km.safetensors");
        var report = method.compress(model, out, dir.resolve("work"), null, null);
        Model q = ModelLoader.load(out);
        // stories260K: rows of 64 (dim) and 172 (hidden) values are not whole 256-blocks, so llama.cpp falls back:
        // Q4_K → Q5_0, the Q6_K of attn_v/ffn_down in "more bits" layers → Q8_0, and rows of 172 → F16.
        assertThat(q.tensor(WeightNames.q(0)).dtype()).isEqualTo(DType.Q5_0);
        assertThat(q.tensor(WeightNames.v(0)).dtype()).isEqualTo(DType.Q5_0);
        assertThat(q.tensor(WeightNames.v(4)).dtype()).isEqualTo(DType.Q8_0);
        assertThat(q.tensor(WeightNames.down(2)).dtype()).isEqualTo(DType.F16);
        long bits = 0, params = 0;
        for (String name : WeightNames.blockLinearWeights(model.config().nLayers())) {
            Tensor src = model.tensor(name), stored = q.tensor(name);
            params += src.numel();
            bits += 8 * stored.segment().byteSize();
            if (stored.dtype() == DType.F16) continue;
            byte[] want = GgmlQuantizer.quantize(stored.dtype(), src.toFloatArray(), src.rows(), src.cols(), null);
            assertThat(bytes(stored)).as(name).containsExactly(want);
        }
        assertThat(report.size().bitsPerCompressedWeight()).isEqualTo((double) bits / params);

        // a usable model: next-token logits close to the base model's
        int[] tokens = model.tokenizer().encode("Once upon a time, there was a little girl");
        float[][] base = new LlamaEngine(model).logits(tokens), got = new LlamaEngine(q).logits(tokens);
        double num = 0, den = 0;
        for (int t = 0; t < base.length; t++) {
            for (int i = 0; i < base[t].length; i++) {
                num += (base[t][i] - got[t][i]) * (base[t][i] - got[t][i]);
                den += base[t][i] * base[t][i];
            }
        }
        assertThat(Math.sqrt(num / den)).isBetween(1e-6, 0.1);
    }

    @Test
    void importanceWeightsComeFromTheCalibrationPassAndChangeTheBlocks(@TempDir Path dir) throws Exception {
        Model model = ModelLoader.load(TestData.stories260K());
        int[] seq =
                model.tokenizer().encode("Once upon a time, there was a little girl named Lily. She liked to play.");
        var set = Calibration.capture(model, List.of(seq), Calibration.ENGINE, "test sentence", null, null);
        var plain = new KQuantMethod(KQuantMix.Q5_0, false, null);
        var weighted = new KQuantMethod(KQuantMix.Q5_0, false, CalibrationSpec.precomputed(set));
        plain.compress(model, dir.resolve("p.safetensors"), dir.resolve("wp"), null, null);
        weighted.compress(model, dir.resolve("w.safetensors"), dir.resolve("ww"), null, null);
        String name = WeightNames.q(1);
        Tensor src = model.tensor(name);
        float[] imatrix = KQuantMethod.importance(set.forWeight(name));
        byte[] want = GgmlQuantizer.quantize(DType.Q5_0, src.toFloatArray(), src.rows(), src.cols(), imatrix);
        Tensor w = ModelLoader.load(dir.resolve("w.safetensors")).tensor(name);
        assertThat(bytes(w)).containsExactly(want);
        assertThat(bytes(w))
                .isNotEqualTo(
                        bytes(ModelLoader.load(dir.resolve("p.safetensors")).tensor(name)));
        assertThat(weighted.parameters()).containsKey("calibration");
    }
}
