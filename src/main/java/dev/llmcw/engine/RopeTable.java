package dev.llmcw.engine;

import java.util.Arrays;

/**
 * Rotation factors per position for {@link RotaryEmbedding#rope}, [p·hd + j] for head dimension j: cos θ of the pair j
 * belongs to, and −sin θ on the pair's first element, +sin θ on its second. A rotated element is then
 * x_j·cos + x_partner·sin, partner being the other element of its pair (j ^ 1 interleaved, j ± hd/2
 * rotate-half): the textbook x0·cos − x1·sin and x0·sin + x1·cos bit for bit (a + (−b) is a − b, and the
 * sums commute), with no branch on the element's place in its pair.
 */
record RopeTable(float[] cos, float[] sin, int positions) {
    /** No positions yet: what the first table grows from. */
    static final RopeTable EMPTY = new RopeTable(new float[0], new float[0], 0);

    /** {@code old}'s factors extended to positions [old.positions, positions). */
    static RopeTable grow(RopeTable old, double[] invFreq, int hd, boolean interleaved, int positions) {
        int half = hd / 2;
        float[] cos = Arrays.copyOf(old.cos(), positions * hd), sin = Arrays.copyOf(old.sin(), positions * hd);
        for (int p = old.positions(); p < positions; p++) {
            for (int i = 0; i < half; i++) {
                double ang = p * invFreq[i];
                float cv = (float) Math.cos(ang), sv = (float) Math.sin(ang);
                int j0 = p * hd + (interleaved ? 2 * i : i), j1 = interleaved ? j0 + 1 : j0 + half;
                cos[j0] = cv;
                cos[j1] = cv;
                sin[j0] = -sv;
                sin[j1] = sv;
            }
        }
        return new RopeTable(cos, sin, positions);
    }

    /**
     * {@code old} extended as ggml-cpu's {@code ggml_rope_cache_init} computes the factors (no frequency scaling):
     * θ for pair i is the float position times powf(base, −2/hd) multiplied in i times in float, then cosf/sinf.
     */
    static RopeTable growGgml(RopeTable old, float base, int hd, boolean interleaved, int positions) {
        int half = hd / 2;
        float thetaScale = (float) Math.pow(base, -2.0f / hd);
        float[] cos = Arrays.copyOf(old.cos(), positions * hd), sin = Arrays.copyOf(old.sin(), positions * hd);
        for (int p = old.positions(); p < positions; p++) {
            float theta = p;
            for (int i = 0; i < half; i++) {
                float cv = (float) Math.cos(theta), sv = (float) Math.sin(theta);
                int j0 = p * hd + (interleaved ? 2 * i : i), j1 = interleaved ? j0 + 1 : j0 + half;
                cos[j0] = cv;
                cos[j1] = cv;
                sin[j0] = -sv;
                sin[j1] = sv;
                theta *= thetaScale;
            }
        }
        return new RopeTable(cos, sin, positions);
    }
}
