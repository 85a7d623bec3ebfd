package dev.llmcw.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Percentage.withPercentage;

import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link LlamaCppAttention} against tools/reference/llamacpp_attention_reference.py, an independent numpy
 * emulation of llama.cpp's CPU flash attention with an F16 cache (exact fused multiply-adds, F16 rounding with
 * numpy's float16): both paths, bit for bit (tolerance 0: the emulation's point is llama.cpp's exact rounding).
 */
class LlamaCppAttentionTest {
    private record Case(int n, int start, int heads, int kvHeads, int hd, Map<String, float[]> arrays) {}

    @Test
    void theTiledPathOfAPromptMatchesTheReferenceBitForBit() throws IOException {
        check(load().get("tiled"));
    }

    @Test
    void theOneQueryPathWithF16ValueSumsMatchesTheReferenceBitForBit() throws IOException {
        check(load().get("onequery"));
    }

    @Test
    void ggmlExpfIsZeroForMaskedScoresAndCloseToExpElsewhere() {
        assertThat(GgmlFloatOps.vexpf(Float.NEGATIVE_INFINITY)).isZero();
        for (float x = -80f; x <= 80f; x += 0.37f)
            assertThat((double) GgmlFloatOps.vexpf(x)).isCloseTo(Math.exp(x), withPercentage(1e-4));
    }

    @Test
    void numericsParsesBothNamesAndRefusesOthersInOneSentence() {
        assertThat(Numerics.parse("llama.cpp")).isEqualTo(Numerics.LLAMA_CPP);
        assertThat(Numerics.parse(" Workbench ")).isEqualTo(Numerics.WORKBENCH);
        assertThatThrownBy(() -> Numerics.parse("ggml"))
                .hasMessage("numerics must be workbench or llama.cpp, got 'ggml'");
    }

    private static void check(Case k) {
        int qDim = k.heads * k.hd;
        ModelConfig c = new ModelConfig(
                "llama",
                qDim,
                4,
                1,
                k.heads,
                k.kvHeads,
                k.hd,
                16,
                512,
                1e-5f,
                10000f,
                RopeLayout.INTERLEAVED,
                null,
                true,
                false);
        float[] out = new float[k.n * qDim];
        LlamaCppAttention.attend(
                c,
                new AttentionBuffers(k.arrays.get("q"), k.arrays.get("keys"), k.arrays.get("values"), out),
                k.n,
                0,
                k.start,
                null);
        float[] expected = k.arrays.get("out");
        for (int i = 0; i < out.length; i++) {
            assertThat(Float.floatToRawIntBits(out[i]))
                    .as("output %d: %s vs reference %s", i, out[i], expected[i])
                    .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }

    private static Map<String, Case> load() throws IOException {
        String text;
        try (InputStream in = LlamaCppAttentionTest.class.getResourceAsStream("/golden/llamacpp-attention.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, Case> cases = new HashMap<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i += 5) {
            String[] h = lines.get(i).split(" ");
            Map<String, float[]> arrays = new HashMap<>();
            for (int j = 1; j <= 4; j++) {
                String[] parts = lines.get(i + j).split(" ");
                float[] v = new float[parts.length - 1];
                for (int p = 1; p < parts.length; p++)
                    v[p - 1] = Float.intBitsToFloat(Integer.parseUnsignedInt(parts[p], 16));
                arrays.put(parts[0], v);
            }
            cases.put(
                    h[1],
                    new Case(
                            Integer.parseInt(h[3]),
                            Integer.parseInt(h[5]),
                            Integer.parseInt(h[7]),
                            Integer.parseInt(h[9]),
                            Integer.parseInt(h[11]),
                            arrays));
        }
        return cases;
    }
}
