package dev.llmcw.compress.seedlm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.llmcw.TestData;
import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.engine.DenseLinear;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flat block layout (the paper's): exact preset budgets, padding only in a tensor's last block, row files still load. */
class SeedLmLayoutTest {
    @Test
    void presetsHitTheirBudgetOnStories260K() {
        Model model = ModelLoader.load(TestData.stories260K());
        var d = MethodRegistry.get("seedlm");
        var four = d.create(Map.of("bits", "4"), Path.of(""), null).estimate(model);
        assertThat(String.format("%.3f", four.bitsPerCompressedWeight())).isEqualTo("4.000");
        assertThat(four.bitsPerCompressedWeight()).isEqualTo(4.0);
        assertThat(four.convention()).contains("padding 0 weights");
        // 3-bit: C = 12 divides none of 64·64, 32·64, 64·172, so each tensor pads its last block (8 of 4104 weights at
        // most)
        var three = d.create(Map.of("bits", "3"), Path.of(""), null).estimate(model);
        long padding = 0;
        for (String n : SeedLmMethod.targets(model)) {
            var t = model.tensor(n);
            padding += SeedLmTensor.paddingWeights(t.rows(), t.cols(), SeedLmConfig.BITS3);
            assertThat(SeedLmTensor.paddingWeights(t.rows(), t.cols(), SeedLmConfig.BITS3))
                    .isLessThan(12);
        }
        // payload = 3 bits per stored weight, padding included (up to a byte per tensor from packing nibbles)
        assertThat(three.bitsPerCompressedWeight())
                .isCloseTo(3.0 * (three.compressedParams() + padding) / three.compressedParams(), offset(5e-4));
        assertThat(String.format("%.2f", three.bitsPerCompressedWeight())).isEqualTo("3.00");
        assertThat(three.convention()).contains("padding " + padding + " weights");
        // the per-row layout pads every 172-wide row
        var row = d.create(Map.of("bits", "4", "layout", "row"), Path.of(""), null)
                .estimate(model);
        assertThat(row.bitsPerCompressedWeight()).isGreaterThan(4.02);
    }

    private static SeedLmTensor encode(SeedLmConfig cfg, int rows, int cols, long seed) {
        Random r = new Random(seed);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) (0.05 * r.nextGaussian());
        return new SeedLmEncoder(cfg).encode("w", rows, cols, w, ProgressListener.NONE, CancellationToken.none());
    }

    @Test
    void flatBlocksSpanRowsAndTheOnTheFlyLayerMatchesTheDecodedWeights(@TempDir Path dir) {
        var cfg = new SeedLmConfig(8, 3, 10, ExponentRule.RANGE_FILLING, false, true);
        int rows = 7, cols = 13; // 91 weights: 12 blocks, the last holding 3
        SeedLmTensor t = encode(cfg, rows, cols, 3);
        assertThat(t.blocks()).isEqualTo(12);
        assertThat(SeedLmTensor.paddingWeights(rows, cols, cfg)).isEqualTo(5);
        var fly = SeedLmFormat.linear(t, true);
        assertThat(fly).isInstanceOf(FlatSeedLmLinear.class);
        var dense = (DenseLinear) SeedLmFormat.linear(t, false);
        float[] x = new float[2 * cols], y1 = new float[2 * rows], y2 = new float[2 * rows];
        Random r = new Random(5);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        fly.forward(x, 0, y1, 0, 2);
        dense.forward(x, 0, y2, 0, 2);
        for (int i = 0; i < y1.length; i++) assertThat(y1[i]).isCloseTo(y2[i], offset(1e-5f * (1 + Math.abs(y2[i]))));
        // same seed search per block: a flat tensor whose rows are whole blocks equals the row layout's
        SeedLmTensor flat = encode(cfg, 5, 16, 7), rowT = encode(cfg.withFlat(false), 5, 16, 7);
        assertThat(flat.decode()).containsExactly(rowT.decode());
        assertThat(SeedLmFormat.linear(flat, true)).isInstanceOf(SeedLmLinear.class);
    }

    @Test
    void aFlatFileRunsOnTheFlyAsItDecodes(@TempDir Path dir) throws Exception {
        Model model = ModelLoader.load(TestData.stories260K()); // down_proj: 172 columns, blocks of 8 straddle rows
        var method = MethodRegistry.get("seedlm").create(Map.of("C", "8", "P", "3", "K", "10"), dir, null);
        Path out = dir.resolve("s.safetensors");
        method.compress(model, out, dir.resolve("work"), ProgressListener.NONE, CancellationToken.none());
        assertThat(SafetensorsFile.open(out).metadata().get(CompressedFormat.KEY_PARAMS))
                .contains("\"layout\":\"flat\"");
        Model fly = CompressedModels.load(out, true), dense = CompressedModels.load(out, false);
        assertThat(fly.linears().get(WeightNames.down(0))).isInstanceOf(FlatSeedLmLinear.class);
        assertThat(fly.linears().get(WeightNames.q(0))).isInstanceOf(SeedLmLinear.class);
        int[] seq = {1, 300, 301, 302, 50};
        float[][] a = new LlamaEngine(fly).logits(seq), b = new LlamaEngine(dense).logits(seq);
        for (int i = 0; i < a[4].length; i++) assertThat(a[4][i]).isCloseTo(b[4][i], offset(2e-3f));
    }

    @Test
    void filesWithoutARecordedLayoutLoadAsPerRow() {
        Map<String, Object> old = Map.of("C", 8, "P", 3, "K", 16, "exponent_rule", "range", "per_tensor_scale", false);
        assertThat(SeedLmConfig.fromParams(old).flat()).isFalse();
        var now = new HashMap<>(old);
        now.put("layout", "flat");
        assertThat(SeedLmConfig.fromParams(now).flat()).isTrue();
        assertThat(SeedLmConfig.BITS4.params()).containsEntry("layout", "flat");
    }
}
