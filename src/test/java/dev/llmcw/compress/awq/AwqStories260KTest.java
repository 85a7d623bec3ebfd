package dev.llmcw.compress.awq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.llmcw.TestData;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.compress.calibration.HessianCache;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.engine.Perplexity;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.Linear;
import dev.llmcw.testing.Slow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AWQ end to end on stories260K (dim 64, hidden 172): compress through the registry, reload, perplexity on
 * TinyStories text the calibration did not see, against RTN at the same bits and group size. Group 32 divides
 * 64; the MLP's 172 inputs end in a group of 12, which the grid stores and counts exactly.
 */
@Slow
class AwqStories260KTest {
    private static final int GROUP = 32;

    @TempDir
    static Path dir;

    private static Model base;
    private static Path calib;
    private static int[] evalTokens;

    @BeforeAll
    static void setUp() throws Exception {
        base = ModelLoader.load(TestData.stories260K());
        String text = Files.readString(
                TestData.require("datasets/tinystories/tinystories_val_subset.txt"), StandardCharsets.UTF_8);
        calib = dir.resolve("calib.txt");
        Files.writeString(calib, text.substring(0, 60_000));
        evalTokens = base.tokenizer().encode(text.substring(400_000, 430_000));
    }

    private static Path compress(String method, Map<String, String> params) throws Exception {
        Map<String, String> p = new HashMap<>(params);
        if (method.equals("awq")) {
            p.put("calib", calib.toString());
            p.put("calib_seqs", "32");
            p.put("calib_len", "128");
        }
        CompressionMethod m = MethodRegistry.get(method).create(p, dir, dir.resolve("hessians"));
        Path out = dir.resolve(method + "-" + String.join("-", new TreeMap<>(params).values()) + ".st");
        m.compress(base, out, null, null, null);
        return out;
    }

    private static double perplexity(Model m) {
        Perplexity p = new Perplexity(new LlamaEngine(m, 256), base.tokenizer().bosId(), 256);
        p.add(evalTokens);
        return p.result().perplexity();
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 3})
    void awqPerplexityIsNoWorseThanRtn(int bits) throws Exception {
        var grid = Map.of("bits", Integer.toString(bits), "group", Integer.toString(GROUP));
        Model awq = CompressedModels.load(compress("awq", grid), true);
        Model rtn = CompressedModels.load(compress("rtn", grid), true);
        double pAwq = perplexity(awq), pRtn = perplexity(rtn), pBase = perplexity(base);
        System.out.printf("stories260K %d-bit g%d: base %.4f, RTN %.4f, AWQ %.4f%n", bits, GROUP, pBase, pRtn, pAwq);
        assertThat(pAwq).isFinite().isGreaterThan(pBase * 0.98);
        assertThat(pAwq).isLessThanOrEqualTo(pRtn * 1.005);
        assertThat(awq.format()).isEqualTo("awq");
        assertThat(awq.linears()).hasSize(7 * base.config().nLayers());
    }

    @Test
    void fileHoldsTheScalesItsBitsCountAndBothDecodePathsAgree() throws Exception {
        Path out = compress("awq", Map.of("bits", "4", "group", Integer.toString(GROUP), "auto_clip", "false"));
        Model onTheFly = CompressedModels.load(out, true), dense = CompressedModels.load(out, false);
        int[] seq = Arrays.copyOf(evalTokens, 40);
        float[][] a = new LlamaEngine(onTheFly).logits(seq), b = new LlamaEngine(dense).logits(seq);
        for (int t = 0; t < seq.length; t++)
            for (int v = 0; v < a[t].length; v++) assertThat(a[t][v]).isCloseTo(b[t][v], within(2e-3f));
        // bits/weight: the descriptor's estimate is what the layers store (codes, grid, FP16 input scales)
        var d = MethodRegistry.get("awq");
        var args = d.arguments(Map.of("bits", "4", "group", Integer.toString(GROUP)), dir, null);
        Linear down = onTheFly.linears().get(WeightNames.down(0));
        int rows = down.outFeatures(), cols = down.inFeatures();
        assertThat(cols).isEqualTo(172);
        long expectBits = (long) rows * cols * 4 + (long) rows * 6 * (16 + 4) + 16L * cols;
        assertThat(d.bitsPerWeight(args, rows, cols)).isEqualTo(expectBits / ((double) rows * cols));
        assertThat(down.storageBytes()).isEqualTo(expectBits / 8);
        assertThat(CompressedModels.params(onTheFly))
                .containsEntry("alpha_grid", "20")
                .containsEntry("auto_clip", "false")
                .containsEntry("calibration", "calib.txt, 32 × 128 tokens");
    }

    @Test
    void theCalibrationCacheKeepsTheMeanAbsoluteActivation() throws Exception {
        Path cacheDir = dir.resolve("hessians");
        compress("awq", Map.of("bits", "4", "group", Integer.toString(GROUP)));
        try (var keys = Files.list(cacheDir)) {
            for (Path key : keys.toList()) {
                var set = new HessianCache(cacheDir).load(key.getFileName().toString());
                assertThat(set.hasAbsSums()).isTrue();
                for (var acc : set.groups().values())
                    for (double v : acc.meanAbs()) assertThat(v).isFinite().isGreaterThanOrEqualTo(0);
            }
        }
    }
}
