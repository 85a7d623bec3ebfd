package dev.llmcw.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.TestData;
import dev.llmcw.model.Llama2cLoader;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.RopeScaling;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.tokenizer.Tokenizer;
import dev.llmcw.tokenizer.TokenizerFiles;
import dev.llmcw.util.Json;
import dev.llmcw.util.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufModelLoaderTest {
    @TempDir
    Path dir;

    private static Model stories() {
        Model m = Llama2cLoader.load(TestData.stories260K());
        return m.withTokenizer(
                TokenizerFiles.llama2c(TestData.tok512(), m.config().vocabSize()));
    }

    @Test
    void stories260KRoundTripsBitIdenticallyAsF32() throws Exception {
        Model src = stories();
        Path out = dir.resolve("stories260K.gguf");
        GgufModelWriter.write(src, out, DType.F32);
        Model back = ModelLoader.load(out); // dispatches on the GGUF magic
        assertThat(back.format()).isEqualTo("gguf");
        assertThat(back.config()).isEqualTo(src.config());
        assertThat(back.tensors().keySet()).isEqualTo(src.tensors().keySet());
        for (var e : src.tensors().entrySet()) {
            Tensor b = back.tensor(e.getKey());
            assertThat(b.dtype()).isEqualTo(DType.F32);
            assertThat(b.shape()).as(e.getKey()).containsExactly(e.getValue().shape());
            assertThat(b.segment().mismatch(e.getValue().segment()))
                    .as(e.getKey())
                    .isEqualTo(-1L);
        }
        Tokenizer t = back.tokenizer();
        assertThat(t.vocabSize()).isEqualTo(512);
        assertThat(t.bosId()).isEqualTo(1);
        assertThat(t.eosId()).isEqualTo(2);
        assertThat(t.addsBosByDefault()).isTrue();
        JsonNode golden;
        try (var in = getClass().getResourceAsStream("/golden/tokenizer/tok512_llama2c_encode.json")) {
            golden = Json.MAPPER.readTree(in);
        }
        for (JsonNode c : golden.get("cases")) {
            String text = c.get("text").asText();
            assertThat(t.encode(text)).as(text).isEqualTo(src.tokenizer().encode(text));
            assertThat(t.decode(t.encode(text))).isEqualTo(text);
        }
    }

    @Test
    void stories260KAsQ8_0AndQ4_0StaysWithinQuantisationError() {
        Model src = stories();
        for (DType type : new DType[] {DType.Q8_0, DType.Q4_0}) {
            Path out = dir.resolve("stories-" + type + ".gguf");
            GgufModelWriter.write(src, out, type);
            Model back = GgufModelLoader.load(out);
            assertThat(back.tensor(WeightNames.q(0)).dtype()).isEqualTo(type);
            assertThat(back.tensor(WeightNames.EMBED).dtype()).isEqualTo(type);
            // rows of 172 values do not split into 32-blocks: kept F32 like llama.cpp does
            assertThat(back.tensor(WeightNames.down(0)).dtype()).isEqualTo(DType.F32);
            assertThat(back.tensor(WeightNames.FINAL_NORM).dtype()).isEqualTo(DType.F32);
            double relLimit = type == DType.Q8_0 ? 0.01 : 0.15;
            for (String name : WeightNames.blockLinearWeights(src.config().nLayers())) {
                float[] a = src.tensor(name).toFloatArray(),
                        b = back.tensor(name).toFloatArray();
                double se = 0, sw = 0;
                for (int i = 0; i < a.length; i++) {
                    se += (a[i] - b[i]) * (double) (a[i] - b[i]);
                    sw += a[i] * (double) a[i];
                }
                assertThat(Math.sqrt(se / sw)).as(type + " " + name).isLessThan(relLimit);
            }
        }
    }

    // ---- synthetic models ----

    private static Tensor random(Random rnd, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] f = new float[(int) n];
        for (int i = 0; i < f.length; i++) f[i] = (float) rnd.nextGaussian();
        return F32Tensor.of(f, shape);
    }

    static Model synthetic(String arch, RopeLayout layout, boolean bias, RopeScaling scaling, float theta) {
        var rnd = new Random(3);
        int dim = 64, hidden = 96, heads = 4, kv = 2, hd = 16, vocab = 40, layers = 2;
        var c = new ModelConfig(
                arch, dim, hidden, layers, heads, kv, hd, vocab, 128, 1e-6f, theta, layout, scaling, false, bias);
        Map<String, Tensor> t = new HashMap<>();
        t.put(WeightNames.EMBED, random(rnd, vocab, dim));
        t.put(WeightNames.LM_HEAD, random(rnd, vocab, dim));
        t.put(WeightNames.FINAL_NORM, random(rnd, dim));
        for (int i = 0; i < layers; i++) {
            t.put(WeightNames.attnNorm(i), random(rnd, dim));
            t.put(WeightNames.ffnNorm(i), random(rnd, dim));
            t.put(WeightNames.q(i), random(rnd, heads * hd, dim));
            t.put(WeightNames.k(i), random(rnd, kv * hd, dim));
            t.put(WeightNames.v(i), random(rnd, kv * hd, dim));
            t.put(WeightNames.o(i), random(rnd, dim, heads * hd));
            t.put(WeightNames.gate(i), random(rnd, hidden, dim));
            t.put(WeightNames.up(i), random(rnd, hidden, dim));
            t.put(WeightNames.down(i), random(rnd, dim, hidden));
            if (bias) {
                t.put(WeightNames.qBias(i), random(rnd, heads * hd));
                t.put(WeightNames.kBias(i), random(rnd, kv * hd));
                t.put(WeightNames.vBias(i), random(rnd, kv * hd));
            }
        }
        return new Model(c, t, Map.of(), null, Path.of("synthetic"), "test", "SYNTHETIC", Map.of());
    }

    @Test
    void rotateHalfLlamaIsPermutedToTheInterleavedGgufLayout() {
        Model src = synthetic("llama", RopeLayout.ROTATE_HALF, false, null, 10000f);
        Path out = dir.resolve("hf-llama.gguf");
        GgufModelWriter.write(src, out, DType.F32);
        Model back = GgufModelLoader.load(out);
        assertThat(back.config().ropeLayout()).isEqualTo(RopeLayout.INTERLEAVED);
        assertThat(back.config().tiedEmbeddings()).isFalse();
        int hd = 16, cols = 64;
        for (String name : new String[] {WeightNames.q(1), WeightNames.k(0)}) {
            float[] a = src.tensor(name).toFloatArray(), b = back.tensor(name).toFloatArray();
            int heads = a.length / cols / hd;
            // interleaved pair (2i, 2i+1) of head h holds rotate-half rows (i, i + hd/2)
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < hd / 2; i++) {
                    for (int j = 0; j < cols; j++) {
                        assertThat(b[(h * hd + 2 * i) * cols + j]).isEqualTo(a[(h * hd + i) * cols + j]);
                        assertThat(b[(h * hd + 2 * i + 1) * cols + j]).isEqualTo(a[(h * hd + hd / 2 + i) * cols + j]);
                    }
                }
            }
        }
        assertThat(back.tensor(WeightNames.v(0)).toFloatArray())
                .containsExactly(src.tensor(WeightNames.v(0)).toFloatArray());
        // and back: writing the interleaved model as qwen2 (NEOX rope) undoes the permutation
        Model asQwen = new Model(
                new ModelConfig(
                        "qwen2",
                        64,
                        96,
                        2,
                        4,
                        2,
                        16,
                        40,
                        128,
                        1e-6f,
                        10000f,
                        RopeLayout.INTERLEAVED,
                        null,
                        false,
                        false),
                back.tensors(),
                Map.of(),
                null,
                out,
                "gguf",
                "x",
                Map.of());
        Path q = dir.resolve("q.gguf");
        GgufModelWriter.write(asQwen, q, DType.F32);
        assertThat(GgufModelLoader.load(q).tensor(WeightNames.q(1)).toFloatArray())
                .containsExactly(src.tensor(WeightNames.q(1)).toFloatArray());
    }

    @Test
    void qwen2KeepsRotateHalfAndBiases() {
        Model src = synthetic("qwen2", RopeLayout.ROTATE_HALF, true, null, 1_000_000f);
        Path out = dir.resolve("qwen2.gguf");
        GgufModelWriter.write(src, out, DType.BF16);
        Model back = GgufModelLoader.load(out);
        assertThat(back.config()).isEqualTo(src.config());
        assertThat(back.tensor(WeightNames.kBias(1)).toFloatArray())
                .containsExactly(src.tensor(WeightNames.kBias(1)).toFloatArray());
        assertThat(back.tensor(WeightNames.q(0)).dtype()).isEqualTo(DType.BF16);
        float[] a = src.tensor(WeightNames.q(0)).toFloatArray(),
                b = back.tensor(WeightNames.q(0)).toFloatArray();
        for (int i = 0; i < a.length; i++) assertThat(Math.abs(a[i] - b[i])).isLessThanOrEqualTo(Math.abs(a[i]) / 256f);
    }

    @Test
    void llama3RopeScalingSurvivesTheRopeFreqsTensor() {
        var scaling = new RopeScaling(32.0, 1.0, 4.0, 8192);
        Model src = synthetic("llama", RopeLayout.INTERLEAVED, false, scaling, 500000f);
        Path out = dir.resolve("l3.gguf");
        GgufModelWriter.write(src, out, DType.F16);
        Model back = GgufModelLoader.load(out);
        assertThat(back.config().ropeScaling()).isEqualTo(scaling);
        assertThat(back.config().ropeTheta()).isEqualTo(500000f);
    }

    @Test
    void badModelsAreRejectedNamingFileAndProblem() {
        Model src = synthetic("llama", RopeLayout.INTERLEAVED, false, null, 10000f);
        // wrong architecture
        Path arch = dir.resolve("arch.gguf");
        new GgufWriter().put("general.architecture", "gptneox").write(arch);
        assertThatThrownBy(() -> GgufModelLoader.load(arch))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("arch.gguf")
                .hasMessageContaining("gptneox");
        // missing tensor
        Map<String, Tensor> fewer = new HashMap<>(src.tensors());
        fewer.remove(WeightNames.up(1));
        Path miss = dir.resolve("missing.gguf");
        GgufModelWriter.write(
                new Model(src.config(), fewer, Map.of(), null, src.source(), "t", "t", Map.of()), miss, DType.F32);
        assertThatThrownBy(() -> GgufModelLoader.load(miss))
                .hasMessageContaining("missing.gguf")
                .hasMessageContaining("blk.1.ffn_up.weight");
        // metadata disagreeing with the tensors
        var bigger = new ModelConfig(
                "llama", 64, 128, 2, 4, 2, 16, 40, 128, 1e-6f, 1e4f, RopeLayout.INTERLEAVED, null, false, false);
        Path shape = dir.resolve("shape.gguf");
        GgufModelWriter.write(
                new Model(bigger, src.tensors(), Map.of(), null, src.source(), "t", "t", Map.of()), shape, DType.F32);
        assertThatThrownBy(() -> GgufModelLoader.load(shape))
                .hasMessageContaining("shape.gguf")
                .hasMessageContaining("blk.0.ffn_gate.weight")
                .hasMessageContaining("[96, 64]");
    }

    @Test
    void unsupportedQuantTypeInAModelNamesTheTensor() {
        var raw = new RawGguf()
                .header(3, 1, 2)
                .str("general.architecture")
                .i32(GgufType.STRING.code())
                .str("llama")
                .str("llama.embedding_length")
                .i32(GgufType.UINT32.code())
                .i32(256)
                .tensor("token_embd.weight", 23 /* IQ4_XS */, 0, 256, 4)
                .padTo(32)
                .zeros(4 * 136);
        Path p = dir.resolve("iq4xs.gguf");
        try {
            Files.write(p, raw.toBytes());
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
        assertThatThrownBy(() -> GgufModelLoader.load(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("iq4xs.gguf")
                .hasMessageContaining("token_embd.weight")
                .hasMessageContaining("IQ4_XS");
    }
}
