package dev.llmcw.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.model.Llama2cLoader;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.tensor.Linear;
import dev.llmcw.util.Parallel;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fused decode paths (q/k/v in one region, SwiGLU inside the gate/up region, residual adds inside
 * the o/down regions) must give exactly the logits of the layer-by-layer path, and any thread count
 * must give exactly the single-threaded logits.
 */
class DecodePathTest {

    /** The same dense layer behind a plain {@link Linear}, so the engine takes its generic (unfused) path. */
    private static Linear opaque(DenseLinear l) {
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
                l.forward(x, xOff, y, yOff, batch);
            }

            @Override
            public long storageBytes() {
                return l.storageBytes();
            }

            @Override
            public String kind() {
                return "opaque";
            }
        };
    }

    private static Model unfused(Model base) {
        Map<String, Linear> linears = new HashMap<>();
        for (String w : WeightNames.blockLinearWeights(base.config().nLayers())) {
            linears.put(w, opaque(new DenseLinear(base.tensor(w))));
        }
        return new Model(base.config(), base.tensors(), linears, null, base.source(), "test", "unfused", Map.of());
    }

    /** Prompt of 5 tokens (tiled prefill), then single tokens and a 2-token chunk (decode paths). */
    private static float[][] run(LlamaEngine e, int[] tokens) {
        KvCache cache = e.newCache(4);
        float[][] out = new float[tokens.length][];
        int v = e.config().vocabSize();
        float[] first = e.forward(cache, tokens, 0, 5, 0);
        for (int t = 0; t < 5; t++) out[t] = Arrays.copyOfRange(first, t * v, (t + 1) * v);
        int t = 5;
        while (t < tokens.length) {
            int n = t % 3 == 0 && t + 2 <= tokens.length ? 2 : 1;
            float[] l = e.forward(cache, tokens, t, n, 0);
            for (int i = 0; i < n; i++) out[t + i] = Arrays.copyOfRange(l, i * v, (i + 1) * v);
            t += n;
        }
        return out;
    }

    private static void assertBitIdentical(float[][] a, float[][] b, String what) {
        for (int t = 0; t < a.length; t++) {
            for (int j = 0; j < a[t].length; j++) {
                assertThat(Float.floatToRawIntBits(a[t][j]))
                        .as("%s: position %d logit %d", what, t, j)
                        .isEqualTo(Float.floatToRawIntBits(b[t][j]));
            }
        }
    }

    @Test
    void fusedDecodeEqualsLayerByLayerAndSerialBitForBit() {
        int before = Parallel.threads();
        try {
            for (Model m : new Model[] {
                Llama2cLoader.load(TestData.stories260K()),
                GoldenModels.tiny("tiny-qwen2", GoldenModels.tinyQwen2Config())
            }) {
                int[] tokens = new int[40];
                for (int i = 0; i < tokens.length; i++)
                    tokens[i] = 1 + (i * 37) % (m.config().vocabSize() - 1);
                Parallel.setThreads(1);
                float[][] serial = run(new LlamaEngine(m), tokens);
                float[][] serialUnfused = run(new LlamaEngine(unfused(m)), tokens);
                assertBitIdentical(serial, serialUnfused, "fused vs unfused, 1 thread");
                for (int threads : new int[] {2, 3, 5}) {
                    Parallel.setThreads(threads);
                    assertBitIdentical(run(new LlamaEngine(m), tokens), serial, threads + " threads vs 1");
                    assertBitIdentical(
                            run(new LlamaEngine(unfused(m)), tokens), serial, "unfused, " + threads + " threads vs 1");
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
