package dev.llmcw.model.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.llmcw.TestData;
import dev.llmcw.engine.DenseLinear;
import dev.llmcw.model.Llama2cLoader;
import dev.llmcw.model.Model;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Half;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.Json;
import dev.llmcw.util.ModelLoadException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfFolderWriterTest {
    @TempDir
    Path tmp;

    @Test
    void stories260KBecomesAnHfLlamaWithPermutedQk() throws Exception {
        Model src = Llama2cLoader.load(TestData.stories260K());
        Path dir = tmp.resolve("stories260K-hf");
        HfFolderWriter.write(src, dir, HfFolderWriter.Options.of(DType.F32));
        Model hf = HfFolderLoader.load(dir);
        var c = hf.config();
        assertThat(c.ropeLayout()).isEqualTo(RopeLayout.ROTATE_HALF);
        assertThat(c).usingRecursiveComparison().ignoringFields("ropeLayout").isEqualTo(src.config());
        assertThat(hf.tensors().keySet()).isEqualTo(src.tensors().keySet());

        int[] perm = HfFolderWriter.interleavedToRotateHalf(c.headDim());
        for (var e : src.tensors().entrySet()) {
            String name = e.getKey();
            Tensor a = e.getValue(), b = hf.tensor(name);
            assertThat(b.dtype()).isEqualTo(DType.F32);
            assertThat(b.shape()).isEqualTo(a.shape());
            boolean isQ = name.endsWith("q_proj.weight"), isK = name.endsWith("k_proj.weight");
            if (!isQ && !isK) {
                assertThat(bits(b)).as(name).isEqualTo(bits(a));
                continue;
            }
            // Un-permuting the rows of every head gives back the llama2.c rows exactly.
            int heads = isQ ? c.nHeads() : c.nKvHeads(), cols = a.cols();
            for (int h = 0; h < heads; h++) {
                for (int r = 0; r < c.headDim(); r++) {
                    for (int j = 0; j < cols; j++) {
                        long newIdx = (long) (h * c.headDim() + r) * cols + j;
                        long oldIdx = (long) (h * c.headDim() + perm[r]) * cols + j;
                        assertThat(Float.floatToRawIntBits(b.get(newIdx)))
                                .isEqualTo(Float.floatToRawIntBits(a.get(oldIdx)));
                    }
                }
            }
        }

        // Independent reference: transformers' permute (PyTorch) on the same checkpoint.
        ByteBuffer golden = ByteBuffer.wrap(Files.readAllBytes(Path.of(getClass()
                        .getResource("/golden/hf/stories260K_qk_permuted.f32")
                        .toURI())))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int layer : new int[] {0, 4}) {
            for (String name : new String[] {WeightNames.q(layer), WeightNames.k(layer)}) {
                Tensor t = hf.tensor(name);
                for (long i = 0; i < t.numel(); i++)
                    assertThat(t.get(i)).as(name + "[" + i + "]").isEqualTo(golden.getFloat());
            }
        }
        assertThat(golden.remaining()).isZero();

        var json = Json.MAPPER.readTree(dir.resolve("config.json").toFile());
        assertThat(json.get("rms_norm_eps").asText()).isEqualTo("1.0E-5");
        assertThat(json.get("architectures").get(0).asText()).isEqualTo("LlamaForCausalLM");
        assertThat(json.has("workbench_synthetic")).isFalse();
        assertThat(hf.label()).isEqualTo("stories260K-hf");
        assertThat(SafetensorsFile.open(dir.resolve("model.safetensors")).metadata())
                .containsEntry("format", "pt");
    }

    private static int[] bits(Tensor t) {
        int[] b = new int[Math.toIntExact(t.numel())];
        for (int i = 0; i < b.length; i++) b[i] = Float.floatToRawIntBits(t.get(i));
        return b;
    }

    /**
     * Why the permutation is right: rotating pairs (2i, 2i+1) of W·x (interleaved RoPE) and then moving
     * rows gives the same vector as rotating pairs (i, i + d/2) of perm(W)·x (rotate-half RoPE).
     */
    @Test
    void permutationTurnsInterleavedRopeIntoRotateHalf() {
        int heads = 3, hd = 8, cols = 5, pos = 7;
        var r = new SplittableRandom(1);
        float[] w = new float[heads * hd * cols], x = new float[cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (int i = 0; i < cols; i++) x[i] = (float) r.nextGaussian();
        F32Tensor W = F32Tensor.of(w, heads * hd, cols);
        F32Tensor P = HfFolderWriter.permuteHeads(W, heads, hd);
        double[] a = matvec(W, x), b = matvec(P, x);
        int[] perm = HfFolderWriter.interleavedToRotateHalf(hd);
        for (int h = 0; h < heads; h++) {
            double[] qa = Arrays.copyOfRange(a, h * hd, (h + 1) * hd);
            double[] qb = Arrays.copyOfRange(b, h * hd, (h + 1) * hd);
            for (int i = 0; i < hd / 2; i++) {
                double f = pos * Math.pow(10000, -2.0 * i / hd), cos = Math.cos(f), sin = Math.sin(f);
                double a0 = qa[2 * i], a1 = qa[2 * i + 1];
                qa[2 * i] = a0 * cos - a1 * sin;
                qa[2 * i + 1] = a0 * sin + a1 * cos;
                double b0 = qb[i], b1 = qb[i + hd / 2];
                qb[i] = b0 * cos - b1 * sin;
                qb[i + hd / 2] = b0 * sin + b1 * cos;
            }
            for (int j = 0; j < hd; j++) assertThat(qb[j]).isCloseTo(qa[perm[j]], within(1e-5));
        }
    }

    private static double[] matvec(Tensor w, float[] x) {
        double[] y = new double[w.rows()];
        for (int o = 0; o < y.length; o++) {
            for (int i = 0; i < x.length; i++) y[o] += w.get((long) o * x.length + i) * (double) x[i];
        }
        return y;
    }

    /** Builds an HF folder (rotate-half, qwen2 with biases) to re-export. */
    private Model qwenModel() throws Exception {
        Path dir = tmp.resolve("qwen-src");
        var cfg = HfTestFolders.llamaConfig(16, 24, 2, 4, 2, 40);
        cfg.put("model_type", "qwen2");
        HfTestFolders.writeConfig(dir, cfg);
        var shapes = HfTensorLayout.expectedShapes(
                HfConfig.read(dir.resolve("config.json")).config());
        HfTestFolders.writeTensors(
                dir.resolve("model.safetensors"), shapes, HfTestFolders.values(shapes, 5), DType.F32);
        return HfFolderLoader.load(dir);
    }

    @Test
    void rotateHalfModelsRoundTripUnchangedAndBf16Rounds() throws Exception {
        Model src = qwenModel();
        Path f32 = tmp.resolve("f32"), bf16 = tmp.resolve("bf16");
        HfFolderWriter.write(src, f32, new HfFolderWriter.Options(DType.F32, true, null));
        HfFolderWriter.write(src, bf16, HfFolderWriter.Options.of(DType.BF16));
        Model a = HfFolderLoader.load(f32), b = HfFolderLoader.load(bf16);
        assertThat(a.config()).isEqualTo(src.config());
        assertThat(b.config()).isEqualTo(src.config());
        assertThat(a.label()).isEqualTo("f32 [SYNTHETIC]");
        assertThat(Json.MAPPER
                        .readTree(bf16.resolve("config.json").toFile())
                        .get("torch_dtype")
                        .asText())
                .isEqualTo("bfloat16");
        for (var e : src.tensors().entrySet()) {
            assertThat(bits(a.tensor(e.getKey()))).as(e.getKey()).isEqualTo(bits(e.getValue()));
            Tensor t = b.tensor(e.getKey());
            assertThat(t.dtype()).isEqualTo(DType.BF16);
            for (long i = 0; i < t.numel(); i++) {
                assertThat(t.get(i))
                        .isEqualTo(
                                Half.bf16ToFloat(Half.floatToBf16(e.getValue().get(i))));
            }
        }
    }

    @Test
    void replacementLayersAreWrittenAsTheirDenseEquivalent() throws Exception {
        Model src = qwenModel();
        String name = WeightNames.q(1);
        var r = new SplittableRandom(3);
        float[] w = new float[16 * 16], bias = new float[16];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (int i = 0; i < bias.length; i++) bias[i] = 100 + i; // a layer that applies its own bias
        Linear replacement = new DenseLinear(F32Tensor.of(w, 16, 16), bias);
        var withLinear = new Model(
                src.config(), src.tensors(), Map.of(name, replacement), null, src.source(), "rtn", "x", Map.of());
        Path dir = tmp.resolve("densified");
        HfFolderWriter.write(withLinear, dir, HfFolderWriter.Options.of(DType.F32));
        Tensor got = HfFolderLoader.load(dir).tensor(name);
        for (int i = 0; i < w.length; i++) assertThat(got.get(i)).isCloseTo(w[i], within(1e-4f));
    }

    @Test
    void copiesTokenizerFilesAndRejectsBadInput() throws Exception {
        Model src = qwenModel();
        Path tokDir = Files.createDirectories(tmp.resolve("tok"));
        Files.writeString(tokDir.resolve("tokenizer.json"), "{\"model\":{}}");
        Files.writeString(tokDir.resolve("tokenizer_config.json"), "{\"add_bos_token\":true}");
        Path dir = tmp.resolve("withtok");
        HfFolderWriter.write(src, dir, new HfFolderWriter.Options(DType.F16, false, tokDir.resolve("tokenizer.json")));
        assertThat(dir.resolve("tokenizer.json")).hasContent("{\"model\":{}}");
        assertThat(dir.resolve("tokenizer_config.json")).hasContent("{\"add_bos_token\":true}");
        assertThat(HfFolderLoader.loadWithoutTokenizer(dir)
                        .tensor(WeightNames.EMBED)
                        .dtype())
                .isEqualTo(DType.F16);

        assertThatThrownBy(() -> HfFolderWriter.Options.of(DType.Q8_0)).hasMessageContaining("Q8_0");
        var missing = new HashMap<>(src.tensors());
        missing.remove(WeightNames.down(0));
        var broken = new Model(src.config(), missing, Map.of(), null, src.source(), "hf", "x", Map.of());
        assertThatThrownBy(
                        () -> HfFolderWriter.write(broken, tmp.resolve("broken"), HfFolderWriter.Options.of(DType.F32)))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(WeightNames.down(0));
    }
}
