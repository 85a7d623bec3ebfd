package dev.llmcw.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.model.Llama2cLoader;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.RopeScaling;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Linear;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class LlamaEngineTest {

    private static double maxAbsDiff(LlamaEngine engine, GoldenModels.Golden g) {
        float[][] logits = engine.logits(g.tokens());
        double max = 0;
        for (int i = 0; i < g.positions().length; i++) {
            float[] want = g.logits()[i], got = logits[g.positions()[i]];
            assertThat(got).hasSameSizeAs(want);
            for (int j = 0; j < want.length; j++) max = Math.max(max, Math.abs(got[j] - want[j]));
        }
        return max;
    }

    @Test
    void logSumExpMatchesDoubleReference() {
        Random rnd = new Random(3);
        for (int n : new int[] {1, 5, 8, 13, 16, 24, 29, 512, 517}) {
            float[] a = new float[n + 3];
            for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextGaussian() * 6);
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 0; i < n; i++) max = Math.max(max, a[2 + i]);
            for (int i = 0; i < n; i++) sum += Math.exp(a[2 + i] - max);
            // float exponentials (≤ 2 ulp) and compensated float sums: the log of the sum is within a few
            // float roundings of the double value, ≈ 3e-7 on rows of this size and spread
            assertThat(Logits.logSumExp(a, 2, n, new float[2 * FloatVector.SPECIES_PREFERRED.length()]))
                    .as("n %d", n)
                    .isCloseTo(max + Math.log(sum), Offset.offset(1e-6));
        }
    }

    @Test
    void stories260KMatchesPyTorchReference() {
        Model m = Llama2cLoader.load(TestData.stories260K());
        var g = GoldenModels.golden(GoldenModels.resource("stories260K-logits.json"));
        assertThat(maxAbsDiff(new LlamaEngine(m), g)).isLessThan(1e-4);
    }

    @Test
    void tinyLlama3WithRopeScalingMatchesReference() {
        Model m = GoldenModels.tiny("tiny-llama3", GoldenModels.tinyLlama3Config());
        var g = GoldenModels.golden(GoldenModels.resource("tiny-llama3/golden.json"));
        assertThat(maxAbsDiff(new LlamaEngine(m), g)).isLessThan(1e-4);
    }

    @Test
    void goldenFoldersThroughModelLoaderMatchReference() {
        // the HF folder loader reads config.json itself: its config must equal the hand-built one
        for (var name : new String[] {"tiny-llama3", "tiny-qwen2"}) {
            Model m = ModelLoader.load(GoldenModels.resource(name));
            var g = GoldenModels.golden(GoldenModels.resource(name + "/golden.json"));
            assertThat(maxAbsDiff(new LlamaEngine(m), g)).as(name).isLessThan(1e-4);
        }
    }

    @Test
    void ropeScalingMatters() {
        // without llama3 scaling the same weights give different logits: the fixture really tests it
        var c = GoldenModels.tinyLlama3Config();
        var unscaled = new ModelConfig(
                c.architecture(),
                c.dim(),
                c.hiddenDim(),
                c.nLayers(),
                c.nHeads(),
                c.nKvHeads(),
                c.headDim(),
                c.vocabSize(),
                c.maxSeqLen(),
                c.rmsEps(),
                c.ropeTheta(),
                c.ropeLayout(),
                null,
                c.tiedEmbeddings(),
                c.attentionBias());
        var g = GoldenModels.golden(GoldenModels.resource("tiny-llama3/golden.json"));
        assertThat(maxAbsDiff(new LlamaEngine(GoldenModels.tiny("tiny-llama3", unscaled)), g))
                .isGreaterThan(1e-2);
    }

    @Test
    void tinyQwen2WithBiasesAndTiedEmbeddingsMatchesReference() {
        Model m = GoldenModels.tiny("tiny-qwen2", GoldenModels.tinyQwen2Config());
        var g = GoldenModels.golden(GoldenModels.resource("tiny-qwen2/golden.json"));
        assertThat(maxAbsDiff(new LlamaEngine(m), g)).isLessThan(1e-4);
    }

    private static double maxAbsLogit(GoldenModels.Golden g) {
        double m = 0;
        for (float[] row : g.logits()) for (float v : row) m = Math.max(m, Math.abs(v));
        return m;
    }

    @Test
    void bf16WeightsStayCloseToReference() {
        // BF16 keeps 8 mantissa bits (relative rounding error <= 2^-9 per weight); through two or five
        // layers that moves logits by well under 2% of the largest logit magnitude.
        for (var name : new String[] {"tiny-llama3", "tiny-qwen2"}) {
            var cfg = name.equals("tiny-llama3") ? GoldenModels.tinyLlama3Config() : GoldenModels.tinyQwen2Config();
            Model m = GoldenModels.toBf16(GoldenModels.tiny(name, cfg));
            var g = GoldenModels.golden(GoldenModels.resource(name + "/golden.json"));
            double rel = maxAbsDiff(new LlamaEngine(m), g) / maxAbsLogit(g);
            assertThat(rel).as(name).isLessThan(0.02).isGreaterThan(1e-7);
        }
        Model s = GoldenModels.toBf16(Llama2cLoader.load(TestData.stories260K()));
        var g = GoldenModels.golden(GoldenModels.resource("stories260K-logits.json"));
        assertThat(maxAbsDiff(new LlamaEngine(s), g) / maxAbsLogit(g)).isLessThan(0.02);
    }

    @Test
    void f16AndQ8_0WeightsRunThroughTheEngine() {
        // F16 rounds to 11 significant bits, Q8_0 to 1/254 of each block's range: both stay within a few
        // percent of the largest logit; a broken kernel (wrong nibble/scale/offset) would be off by O(1)
        for (var type : new DType[] {DType.F16, DType.Q8_0}) {
            Model m = GoldenModels.convert(GoldenModels.tiny("tiny-llama3", GoldenModels.tinyLlama3Config()), type);
            var g = GoldenModels.golden(GoldenModels.resource("tiny-llama3/golden.json"));
            double rel = maxAbsDiff(new LlamaEngine(m), g) / maxAbsLogit(g);
            assertThat(rel).as(type.toString()).isLessThan(type == DType.F16 ? 0.002 : 0.03);
        }
    }

    @Test
    void decodeStepByStepEqualsBatchedPrefill() {
        Model m = GoldenModels.tiny("tiny-qwen2", GoldenModels.tinyQwen2Config());
        LlamaEngine e = new LlamaEngine(m);
        int[] tokens = GoldenModels.golden(GoldenModels.resource("tiny-qwen2/golden.json"))
                .tokens();
        float[][] batched = e.logits(tokens);
        KvCache cache = e.newCache(4); // small on purpose: must grow
        for (int t = 0; t < tokens.length; t++) {
            float[] step = e.forward(cache, tokens, t, 1, 0);
            for (int j = 0; j < step.length; j++) assertThat(step[j]).isCloseTo(batched[t][j], Offset.offset(1e-5f));
        }
        assertThat(cache.length()).isEqualTo(tokens.length);
        // mixed chunk sizes (a 5-token chunk goes through the tiled matmul) give the same answer
        KvCache c2 = e.newCache();
        e.forward(c2, tokens, 0, 7, 7);
        float[] tail = e.forward(c2, tokens, 7, tokens.length - 7, 0);
        for (int t = 7; t < tokens.length; t++) {
            for (int j = 0; j < 96; j++) {
                assertThat(tail[(t - 7) * 96 + j]).isCloseTo(batched[t][j], Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void logitsOfTheLastRowsOnlyMatchAllLogitsAndFillTheSameCache() {
        // the last layer skips all but the key/value projections of rows before logitsFrom: the wanted rows
        // and the cache (seen through the next step) must not change. Head size 8 takes the segment attention,
        // 32 the prompt attention (its decode-sized branch when fewer than 4 rows are wanted).
        ModelConfig wide = new ModelConfig(
                "llama", 64, 96, 2, 2, 1, 32, 128, 256, 1e-5f, 10000f, RopeLayout.ROTATE_HALF, null, false, false);
        for (Model m : new Model[] {
            GoldenModels.tiny("tiny-qwen2", GoldenModels.tinyQwen2Config()),
            SyntheticModels.build(wide, "wide heads", DType.F32, 7)
        }) {
            LlamaEngine e = new LlamaEngine(m);
            int v = m.config().vocabSize(), n = 13;
            int[] tokens = new int[n + 1];
            for (int i = 0; i <= n; i++) tokens[i] = 1 + (i * 37) % (v - 1);
            KvCache fullCache = e.newCache();
            float[] all = e.forward(fullCache, tokens, 0, n, 0);
            float[] nextAfterAll = e.forward(fullCache, tokens, n, 1, 0);
            for (int from : new int[] {1, 5, n - 2, n - 1, n}) {
                KvCache cache = e.newCache();
                float[] tail = e.forward(cache, tokens, 0, n, from);
                assertThat(tail)
                        .as("%s, logits from %d", m.label(), from)
                        .containsExactly(Arrays.copyOfRange(all, from * v, n * v));
                assertThat(e.forward(cache, tokens, n, 1, 0))
                        .as("%s, the step after logits from %d", m.label(), from)
                        .containsExactly(nextAfterAll);
            }
        }
    }

    @Test
    void longPromptsInChunksMatchOneBatch() {
        // > 64 queries: several query blocks in prefill attention, and a chunk that starts mid-sequence
        LlamaEngine e = new LlamaEngine(Llama2cLoader.load(TestData.stories260K()));
        int[] tokens = new int[150];
        for (int i = 0; i < tokens.length; i++) tokens[i] = 1 + (i * 37) % 500;
        float[][] batched = e.logits(tokens);
        KvCache cache = e.newCache();
        e.forward(cache, tokens, 0, 70, 70);
        float[] rest = e.forward(cache, tokens, 70, 78, 0);
        float[] last = e.forward(cache, tokens, 148, 2, 0);
        for (int t = 70; t < 150; t++) {
            float[] got = t < 148
                    ? Arrays.copyOfRange(rest, (t - 70) * 512, (t - 69) * 512)
                    : Arrays.copyOfRange(last, (t - 148) * 512, (t - 147) * 512);
            for (int j = 0; j < 512; j++) assertThat(got[j]).isCloseTo(batched[t][j], Offset.offset(1e-4f));
        }
    }

    @Test
    void resultsAreBitForBitReproducibleAcrossJitCompilation() {
        // the first run is (partly) interpreted, later ones JIT-compiled: lane sums use a fixed order
        LlamaEngine e = new LlamaEngine(GoldenModels.tiny("tiny-qwen2", GoldenModels.tinyQwen2Config()));
        int[] tokens = {1, 5, 9, 13, 17, 21, 25, 29, 33};
        float[][] first = e.logits(tokens);
        for (int rep = 0; rep < 200; rep++) {
            float[][] again = e.logits(tokens);
            for (int t = 0; t < tokens.length; t++) assertThat(again[t]).containsExactly(first[t]);
        }
    }

    @Test
    void replacementLinearsFromModelAreUsed() {
        Model base = GoldenModels.tiny("tiny-llama3", GoldenModels.tinyLlama3Config());
        AtomicInteger calls = new AtomicInteger();
        Map<String, Linear> linears = new HashMap<>();
        for (String w : WeightNames.blockLinearWeights(2))
            linears.put(w, counting(new DenseLinear(base.tensor(w)), calls));
        linears.put(WeightNames.LM_HEAD, counting(new DenseLinear(base.tensor(WeightNames.LM_HEAD)), calls));
        Model m = new Model(base.config(), base.tensors(), linears, null, base.source(), "test", "counting", Map.of());
        var g = GoldenModels.golden(GoldenModels.resource("tiny-llama3/golden.json"));
        assertThat(maxAbsDiff(new LlamaEngine(m), g)).isLessThan(1e-4);
        assertThat(calls.get()).isEqualTo(2 * 7 + 1);
        // and a replacement that computes something else changes the output
        linears.put(
                WeightNames.q(0),
                new DenseLinear(
                        base.tensor(WeightNames.k(0)).shape()[0] == 16
                                ? base.tensor(WeightNames.o(0))
                                : base.tensor(WeightNames.q(0))));
        Model changed =
                new Model(base.config(), base.tensors(), linears, null, base.source(), "test", "changed", Map.of());
        assertThat(maxAbsDiff(new LlamaEngine(changed), g)).isGreaterThan(1e-3);
    }

    private static Linear counting(Linear l, AtomicInteger calls) {
        return new Linear() {
            @Override
            public int inFeatures() {
                return l.inFeatures();
            }

            @Override
            public int outFeatures() {
                return l.outFeatures();
            }

            @Override
            public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
                calls.incrementAndGet();
                l.forward(x, xOff, y, yOff, batch);
            }

            @Override
            public long storageBytes() {
                return l.storageBytes();
            }

            @Override
            public String kind() {
                return "counting";
            }
        };
    }

    @Test
    void generateIsGreedyOverLogits() {
        Model m = Llama2cLoader.load(TestData.stories260K());
        LlamaEngine e = new LlamaEngine(m);
        int[] prompt = {1, 400, 260};
        int[] gen = e.generate(prompt, 12);
        int[] all = new int[prompt.length + gen.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(gen, 0, all, prompt.length, gen.length);
        float[][] logits = e.logits(all);
        for (int i = 0; i < gen.length; i++) {
            assertThat(Logits.argmax(logits[prompt.length - 1 + i], 0, 512)).isEqualTo(gen[i]);
        }
    }

    @Test
    void badTokenIdsAndShapesAreReported() {
        Model m = GoldenModels.tiny("tiny-qwen2", GoldenModels.tinyQwen2Config());
        LlamaEngine e = new LlamaEngine(m);
        assertThatThrownBy(() -> e.logits(new int[] {1, 96}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("96")
                .hasMessageContaining("vocabulary");
        var c = GoldenModels.tinyQwen2Config();
        var wrong = new ModelConfig(
                c.architecture(),
                c.dim(),
                48,
                c.nLayers(),
                c.nHeads(),
                c.nKvHeads(),
                c.headDim(),
                c.vocabSize(),
                c.maxSeqLen(),
                c.rmsEps(),
                c.ropeTheta(),
                c.ropeLayout(),
                null,
                true,
                true);
        assertThatThrownBy(() -> new LlamaEngine(GoldenModels.tiny("tiny-qwen2", wrong)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gate_proj");
    }

    @Test
    void llama3InverseFrequenciesFollowHuggingFace() {
        // hand-computed: head_dim 8, theta 1e4, factor 8, low 1, high 4, original 64
        double[] f = RotaryEmbedding.inverseFrequencies(8, 10000, new RopeScaling(8, 1, 4, 64));
        assertThat(f[0]).isCloseTo(1.0, Offset.offset(1e-12)); // high frequency: kept
        double w1 = 2 * Math.PI / 0.1, smooth = (64 / w1 - 1) / 3; // medium: smoothed
        assertThat(f[1]).isCloseTo((1 - smooth) * 0.1 / 8 + smooth * 0.1, Offset.offset(1e-12));
        assertThat(f[2]).isCloseTo(0.01 / 8, Offset.offset(1e-12)); // low: divided
        assertThat(f[3]).isCloseTo(0.001 / 8, Offset.offset(1e-12));
    }
}
