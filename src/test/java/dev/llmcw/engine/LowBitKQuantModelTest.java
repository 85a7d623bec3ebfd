package dev.llmcw.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.gguf.GgufModelLoader;
import dev.llmcw.model.gguf.GgufModelWriter;
import dev.llmcw.model.gguf.KQuantMix;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.synthetic.SyntheticModelGenerator;
import dev.llmcw.model.synthetic.SyntheticPresets;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Q8Activations;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SYNTHETIC model at SmolLM2-135M's layer shape (hidden 576, FFN 1536, 9/3 heads; 2 layers, vocabulary 512)
 * exported as Q3_K_M, Q2_K, IQ4_NL and Q4_1, decoded one token at a time with quantized activations (the
 * integer dots: Q8_0/Q4_0/IQ4_NL with Q8_0 activations, Q4_1 with Q8_1, the K-quants with Q8_K) and without.
 * At this shape llama-quantize's fallback (llama-quant.cpp tensor_type_fallback at the pinned commit) turns
 * Q2_K/Q3_K on the 576-column tensors into Q4_0, Q4_K into Q5_0, Q5_K into Q5_1, so the Q3_K_M file holds
 * Q4_0/Q5_0/Q5_1/Q4_K/Q8_0 and the Q2_K file Q4_0/Q3_K (ffn_down, 1536 columns)/Q8_0. The activations'
 * rounding (half a step of 1/127 of a block's largest value) must move the logits much less than the weights'
 * rounding did: relative RMS distance integer vs float path below {@link #BOUND} times that of the float path
 * vs the F32 source. Measured 2026-12-08 (9 tokens): 0.0147 vs 0.171 (Q3_K_M), 0.0169 vs 0.254 (Q2_K), 0.0140
 * vs 0.218 (IQ4_NL), 0.0139 vs 0.229 (Q4_1), ratios 0.06–0.09; the bound 0.25 leaves about 3×. The integer
 * path must differ from the float path, or it did not run.
 */
class LowBitKQuantModelTest {
    static final double BOUND = 0.25;

    @TempDir
    Path dir;

    @Test
    void smolLm2ShapeQ3KmAndQ2KDecodeWithIntegerDotsNearTheFloatPath() throws Exception {
        ModelConfig c =
                SyntheticPresets.customize(SyntheticPresets.get("smollm2-135m"), null, null, 2, null, null, 512);
        Path synth = dir.resolve("synthetic-smollm2-shape");
        SyntheticModelGenerator.generate(
                c, "smollm2-shape", DType.F32, 3, synth, ProgressListener.NONE, CancellationToken.none());
        Model src = ModelLoader.load(synth);
        int[] tokens = new int[9];
        for (int i = 0; i < tokens.length; i++) tokens[i] = (37 * i + 11) % 500;
        boolean wasOn = Q8Activations.enabled();
        try {
            Q8Activations.setEnabled(false);
            float[][] source = decode(src, tokens);
            for (String mix : new String[] {"Q3_K_M", "Q2_K", "IQ4_NL", "Q4_1"}) {
                Path out = dir.resolve("smollm2-shape-" + mix + ".gguf");
                GgufModelWriter.write(src, out, KQuantMix.parse(mix));
                Model m = GgufModelLoader.load(out);
                Set<DType> types = EnumSet.noneOf(DType.class);
                for (Tensor t : m.tensors().values()) types.add(t.dtype());
                Q8Activations.setEnabled(false);
                float[][] floatPath = decode(m, tokens);
                Q8Activations.setEnabled(true);
                float[][] integerPath = decode(m, tokens);
                double activations = relativeRms(integerPath, floatPath), weights = relativeRms(floatPath, source);
                System.out.printf(
                        "%s %s: relative RMS distance of the logits, integer vs float path %.3g, float path vs F32"
                                + " source %.3g%n",
                        mix, types, activations, weights);
                assertThat(activations).as(mix + " integer path ran").isGreaterThan(0);
                assertThat(activations)
                        .as(mix + " activation rounding against the weights' rounding " + weights)
                        .isLessThan(BOUND * weights);
            }
        } finally {
            Q8Activations.setEnabled(wasOn);
        }
    }

    private static double relativeRms(float[][] a, float[][] b) {
        double diff = 0, norm = 0;
        for (int i = 0; i < a.length; i++) {
            for (int v = 0; v < a[i].length; v++) {
                double d = a[i][v] - b[i][v];
                diff += d * d;
                norm += (double) b[i][v] * b[i][v];
            }
        }
        return Math.sqrt(diff / norm);
    }

    /** The logits after each of tokens[0 .. n − 2], fed one at a time. */
    private static float[][] decode(Model m, int[] tokens) {
        LlamaEngine e = new LlamaEngine(m);
        KvCache cache = e.newCache(tokens.length);
        float[][] logits = new float[tokens.length - 1][];
        for (int i = 0; i + 1 < tokens.length; i++)
            logits[i] = e.forward(cache, tokens, i, 1, 0).clone();
        return logits;
    }
}
