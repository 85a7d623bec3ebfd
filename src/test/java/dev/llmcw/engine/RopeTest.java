package dev.llmcw.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The engine's RoPE (a factor table per position, a vector at a time where the pairs allow it) against the
 * textbook rotation x0·cos − x1·sin, x0·sin + x1·cos with float cos/sin of position × inverse frequency,
 * bit for bit, in both pairing layouts, for head sizes that take the vector path at this machine's vector
 * length (8 interleaved, 16 rotate-half at 256 bits) and ones that take the per-pair path.
 */
class RopeTest {

    @ParameterizedTest
    @CsvSource({
        "8, true",
        "16, true",
        "12, true",
        "64, true",
        "8, false",
        "16, false",
        "12, false",
        "64, false",
        "4, false"
    })
    void rotationIsTheTextbookOneBitForBit(int hd, boolean interleaved) {
        int heads = 3, n = 7, half = hd / 2;
        double[] invFreq = new double[half];
        for (int i = 0; i < half; i++) invFreq[i] = Math.pow(10000.0, -2.0 * i / hd);
        int[] pos = {0, 1, 5, 2, 40, 41, 17}; // packed segments: positions repeat and jump
        // grown twice, as the engine grows it
        RopeTable rt = RopeTable.grow(RopeTable.EMPTY, invFreq, hd, interleaved, 6);
        rt = RopeTable.grow(rt, invFreq, hd, interleaved, 42);
        Random r = new Random(hd);
        float[] a = new float[n * heads * hd];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextGaussian() * 3);
        float[] want = a.clone();
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * hd;
                for (int i = 0; i < half; i++) {
                    int i0 = interleaved ? base + 2 * i : base + i, i1 = interleaved ? i0 + 1 : i0 + half;
                    double ang = pos[t] * invFreq[i];
                    float cos = (float) Math.cos(ang), sin = (float) Math.sin(ang), x0 = want[i0], x1 = want[i1];
                    want[i0] = x0 * cos - x1 * sin;
                    want[i1] = x0 * sin + x1 * cos;
                }
            }
        }
        RotaryEmbedding.rope(a, n, heads, hd, interleaved, pos, rt);
        assertThat(a).containsExactly(want);
    }
}
