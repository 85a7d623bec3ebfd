package dev.llmcw.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Q4_0Tensor;
import dev.llmcw.tensor.Q8_0Tensor;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.Json;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Q8_0/Q4_0 against the numpy port of ggml's reference code (tools/ggml_quant_reference.py). */
class GgmlQuantTest {
    @TempDir
    Path dir;

    private static JsonNode golden() throws Exception {
        try (var in = GgmlQuantTest.class.getResourceAsStream("/golden/gguf/ggml_quant.json")) {
            return Json.MAPPER.readTree(in);
        }
    }

    private static float[] floats(JsonNode arr) {
        float[] f = new float[arr.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) arr.get(i).asDouble();
        return f;
    }

    @Test
    void quantisedBytesAndDequantisedValuesMatchTheNumpyReference() throws Exception {
        JsonNode g = golden();
        float[] x = floats(g.get("input"));
        byte[] q8 = new byte[x.length / 32 * 34];
        GgmlQuant.quantizeQ8_0(x, 0, x.length, q8, 0);
        assertThat(HexFormat.of().formatHex(q8)).isEqualTo(g.get("q8_0_hex").asText());
        byte[] q4 = new byte[x.length / 32 * 18];
        GgmlQuant.quantizeQ4_0(x, 0, x.length, q4, 0);
        assertThat(HexFormat.of().formatHex(q4)).isEqualTo(g.get("q4_0_hex").asText());

        // Dequantisation of the reference bytes by the tensor types (exact: one float multiply each).
        Tensor t8 = new Q8_0Tensor(
                new long[] {x.length},
                MemorySegment.ofArray(HexFormat.of().parseHex(g.get("q8_0_hex").asText())));
        assertThat(t8.toFloatArray()).containsExactly(floats(g.get("q8_0_dequant")));
        Tensor t4 = new Q4_0Tensor(
                new long[] {x.length},
                MemorySegment.ofArray(HexFormat.of().parseHex(g.get("q4_0_hex").asText())));
        assertThat(t4.toFloatArray()).containsExactly(floats(g.get("q4_0_dequant")));
    }

    @Test
    void roundTripErrorStaysWithinHalfAStep() throws Exception {
        var rnd = new Random(7);
        int rows = 16, cols = 256;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) (rnd.nextGaussian() * 0.05);
        Path p = dir.resolve("q.gguf");
        new GgufWriter()
                .addTensor("q8", new long[] {rows, cols}, DType.Q8_0, w)
                .addTensor("q4", new long[] {rows, cols}, DType.Q4_0, w)
                .write(p);
        GgufFile g = GgufFile.open(p);
        float[] r8 = g.tensor("q8").toFloatArray(), r4 = g.tensor("q4").toFloatArray();
        double sq8 = 0, sq4 = 0, sw = 0, worst8 = 0, worst4 = 0;
        for (int b = 0; b < w.length / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(w[b * 32 + j]));
            double step8 = amax / 127.0, step4 = amax / 8.0;
            for (int j = 0; j < 32; j++) {
                int i = b * 32 + j;
                // half a step, plus the f16 rounding of the scale (relative 2^-11 of the largest code)
                worst8 = Math.max(worst8, Math.abs(r8[i] - w[i]) / (step8 * 0.5 + amax * 1e-3 + 1e-9));
                // Q4_0's positive side is clamped at code 15 = 7 steps, so the far end may be a full step off
                worst4 = Math.max(worst4, Math.abs(r4[i] - w[i]) / (step4 + amax * 1e-3 + 1e-9));
                sq8 += Math.pow(r8[i] - w[i], 2);
                sq4 += Math.pow(r4[i] - w[i], 2);
                sw += w[i] * w[i];
            }
        }
        assertThat(worst8).isLessThanOrEqualTo(1.0);
        assertThat(worst4).isLessThanOrEqualTo(1.0);
        // Relative RMS error: ~ step/sqrt(12)/sigma — about 0.5% (Q8_0) and 8-10% (Q4_0) on Gaussian weights.
        assertThat(Math.sqrt(sq8 / sw)).isLessThan(0.01);
        assertThat(Math.sqrt(sq4 / sw)).isBetween(0.05, 0.15);
    }

    @Test
    void roundfSendsHalvesAwayFromZero() {
        assertThat(GgmlQuant.roundf(2.5f)).isEqualTo(3);
        assertThat(GgmlQuant.roundf(-2.5f)).isEqualTo(-3);
        assertThat(GgmlQuant.roundf(-2.4999998f)).isEqualTo(-2);
        assertThat(GgmlQuant.roundf(0.49999997f)).isEqualTo(0);
        assertThat(GgmlQuant.roundf(127f)).isEqualTo(127);
    }
}
