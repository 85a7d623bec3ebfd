package dev.llmcw.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.gguf.GgmlQuantizer;
import dev.llmcw.model.gguf.GgufModelLoader;
import dev.llmcw.model.gguf.GgufModelWriter;
import dev.llmcw.model.gguf.GgufNames;
import dev.llmcw.model.gguf.KQuantMix;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * export-gguf with a llama-quantize type: written → read back by the GGUF reader gives llama.cpp's blocks of
 * the source weights in the mix's types; a kquant-compressed model's blocks are written as they are.
 */
class KQuantGgufExportTest {
    private static byte[] bytes(Tensor t) {
        return t.segment().toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void q3KMExportReadsBackAsLlamaCppBlocksOfTheSourceWeights(@TempDir Path dir) {
        Model src = ModelLoader.load(TestData.stories260K());
        Path gguf = dir.resolve("q3km.gguf");
        GgufModelWriter.write(src, gguf, KQuantMix.Q3_K_M);
        Model back = GgufModelLoader.load(gguf);
        // stories260K (llama2.c) already holds Q/K in the interleaved order GGUF uses, so rows map one to one
        for (String name : WeightNames.blockLinearWeights(src.config().nLayers())) {
            Tensor s = src.tensor(name), b = back.tensor(name);
            DType want = KQuantMix.Q3_K_M.typeFor(
                    GgufNames.toGguf(name), s.cols(), new KQuantMix.ModelShape(5, 2, true, false), false);
            assertThat(b.dtype()).as(name).isEqualTo(want);
            if (want == DType.F16) continue;
            assertThat(bytes(b))
                    .as(name)
                    .containsExactly(GgmlQuantizer.quantize(want, s.toFloatArray(), s.rows(), s.cols(), null));
            // and the reader's values are the blocks' values
            float[] v = b.toFloatArray();
            float[] s2 = s.toFloatArray();
            double num = 0, den = 0;
            for (int i = 0; i < v.length; i++) {
                num += (v[i] - s2[i]) * (v[i] - s2[i]);
                den += s2[i] * s2[i];
            }
            assertThat(Math.sqrt(num / den)).as(name).isLessThan(0.2);
        }
        // Q3_K_M's attn_output is Q4_K, which falls back to Q5_0 on rows of 64
        assertThat(back.tensor(WeightNames.o(0)).dtype()).isEqualTo(DType.Q5_0);
        assertThat(back.tensor(WeightNames.q(0)).dtype()).isEqualTo(DType.Q4_0);
        assertThat(back.tensor(WeightNames.EMBED).dtype()).isEqualTo(DType.Q8_0); // tied: the output's type
    }

    @Test
    void aKQuantModelsBlocksAreWrittenAsTheyAre(@TempDir Path dir) throws Exception {
        Model src = ModelLoader.load(TestData.stories260K());
        var method = MethodRegistry.get("kquant").create(Map.of("type", "Q2_K"), dir, dir.resolve("cache"));
        Path compressed = dir.resolve("q2k.safetensors");
        method.compress(src, compressed, dir.resolve("work"), null, null);
        Model q = ModelLoader.load(compressed);
        Path gguf = dir.resolve("q2k.gguf");
        // exported under another mix: the stored blocks are not quantized a second time
        GgufModelWriter.write(q, gguf, KQuantMix.Q6_K);
        Model back = GgufModelLoader.load(gguf);
        for (String name : WeightNames.blockLinearWeights(src.config().nLayers())) {
            assertThat(back.tensor(name).dtype())
                    .as(name)
                    .isEqualTo(q.tensor(name).dtype());
            assertThat(bytes(back.tensor(name))).as(name).containsExactly(bytes(q.tensor(name)));
        }
    }
}
