package dev.llmcw.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Prompts of every head size take {@link SegmentAttention} (scores vectorised over keys); it must agree with the
 * key-by-key {@link CausalAttention} (dot products per key, natural exponentials) to float rounding: the two sum
 * the scores in a different order and SegmentAttention uses base-2 exponentials, so the tolerance is relative,
 * 1e-5 of the largest output.
 */
class PromptAttentionTest {

    @ParameterizedTest(name = "head {0}, {1} heads / {2} kv, chunk of {3} after {4} cached, from {5}")
    @CsvSource({
        "64, 9, 3, 70, 0, 0", // SmolLM2-135M's heads, a chunk crossing the old 64-query blocks
        "64, 9, 3, 40, 25, 0", // a chunk after cached positions
        "64, 9, 3, 40, 25, 17", // only the rows from 17 wanted
        "72, 4, 4, 33, 3, 0", // a head size that is not a multiple of 16
        "16, 4, 2, 20, 0, 0", // small heads (the route before 2026-12-08)
        "128, 4, 1, 9, 7, 2"
    })
    void promptPathMatchesKeyByKeyAttention(int hd, int heads, int kv, int n, int start, int from) {
        var c = new ModelConfig(
                "llama",
                heads * hd,
                4 * hd,
                1,
                heads,
                kv,
                hd,
                300,
                512,
                1e-5f,
                10000f,
                RopeLayout.ROTATE_HALF,
                null,
                false,
                false);
        Random r = new Random(hd * 31L + n);
        int qDim = heads * hd, kvDim = kv * hd, slots = start + n;
        float[] q = gaussian(r, n * qDim, 1f),
                keys = gaussian(r, slots * kvDim, 1f),
                values = gaussian(r, slots * kvDim, 1f);
        float[] reference = new float[n * qDim], prompt = new float[n * qDim];
        CausalAttention.attend(c, new AttentionBuffers(q, keys, values, reference), n, from, start);
        SegmentAttention.attend(
                c, new AttentionBuffers(q, keys, values, prompt), n, from, start, Segments.causal(start, n));

        double largest = 0, worst = 0;
        for (int i = from * qDim; i < n * qDim; i++) {
            largest = Math.max(largest, Math.abs(reference[i]));
            worst = Math.max(worst, Math.abs(reference[i] - prompt[i]));
        }
        assertThat(largest).isGreaterThan(0.1);
        assertThat(worst).isLessThanOrEqualTo(1e-5 * largest);
    }

    private static float[] gaussian(Random r, int size, float scale) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) r.nextGaussian() * scale;
        return a;
    }
}
