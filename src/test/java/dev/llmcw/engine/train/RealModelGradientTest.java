package dev.llmcw.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.llmcw.TestData;
import dev.llmcw.engine.RotaryEmbedding;
import dev.llmcw.model.Llama2cLoader;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.RopeScaling;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kernels' vector paths, which the tiny models' head size of 4 leaves to their scalar tails: RoPE's
 * transpose at head sizes that fill whole vectors, and directional derivatives on stories260K (head size 8).
 */
class RealModelGradientTest {
    @Test
    void rotateBackIsTheTransposeOfRotateInBothLayouts() {
        for (RopeLayout layout : RopeLayout.values()) {
            for (int hd : new int[] {4, 8, 32, 64}) {
                ModelConfig c = new ModelConfig(
                        "llama",
                        2 * hd,
                        8,
                        1,
                        2,
                        1,
                        hd,
                        10,
                        64,
                        1e-5f,
                        10000f,
                        layout,
                        new RopeScaling(8, 1, 4, 16),
                        false,
                        false);
                RotaryEmbedding rope = new RotaryEmbedding(c);
                int n = 9, heads = 2, len = n * heads * hd;
                int[] pos = new int[n];
                for (int t = 0; t < n; t++) pos[t] = 3 * t;
                Random r = new Random(hd);
                float[] a = new float[len], b = new float[len];
                for (int i = 0; i < len; i++) {
                    a[i] = (float) r.nextGaussian();
                    b[i] = (float) r.nextGaussian();
                }
                float[] ra = a.clone(), rb = b.clone();
                rope.rotate(ra, n, heads, pos);
                rope.rotateBack(rb, n, heads, pos);
                // <R a, b> = <a, Rᵀ b>
                double left = 0, right = 0;
                for (int i = 0; i < len; i++) {
                    left += (double) ra[i] * b[i];
                    right += (double) a[i] * rb[i];
                }
                assertThat(left).as(layout + " hd " + hd).isCloseTo(right, offset(1e-5 * Math.sqrt(len)));
                // and Rᵀ undoes R
                rope.rotateBack(ra, n, heads, pos);
                for (int i = 0; i < len; i++) assertThat(ra[i]).isCloseTo(a[i], offset(1e-5f));
            }
        }
    }

    @Test
    void directionalDerivativesOnStories260KMatchFiniteDifferences() {
        Model m = Llama2cLoader.load(TestData.stories260K());
        // small adapters: large ones wreck the model (loss ~16) and curve the loss past what O(h²) allows
        Map<String, TrainableLinear> adapters = TinyModels.adapters(m, 4, 0.05, 13);
        LlamaTrainingModel model = new LlamaTrainingModel(m, adapters, TrainableNorms.all());
        int[] tokens = TinyModels.tokens(65, m.config().vocabSize(), 21);
        tokens[0] = 1;
        model.lossAndGradients(tokens);
        Random r = new Random(8);
        // each parameter along its own random unit direction: (L(θ + h·d) − L(θ − h·d)) / 2h against g·d
        for (Parameter p : model.parameters()) {
            float[] v = p.value(), g = p.grad(), d = new float[v.length];
            double norm = 0, slope = 0;
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) r.nextGaussian();
                norm += (double) d[i] * d[i];
            }
            for (int i = 0; i < d.length; i++) {
                d[i] /= (float) Math.sqrt(norm);
                slope += (double) g[i] * d[i];
            }
            double h = 1e-3;
            float[] start = v.clone();
            for (int i = 0; i < v.length; i++) v[i] = (float) (start[i] + h * d[i]);
            double plus = model.loss(tokens);
            for (int i = 0; i < v.length; i++) v[i] = (float) (start[i] - h * d[i]);
            double minus = model.loss(tokens);
            System.arraycopy(start, 0, v, 0, v.length);
            double gradNorm = 0;
            for (float x : g) gradNorm += (double) x * x;
            // the slope may be small against |g|: the allowed error scales with |g| (float32 noise, O(h²))
            assertThat((plus - minus) / (2 * h))
                    .as(p.name())
                    .isCloseTo(slope, offset(1e-2 * Math.sqrt(gradNorm) + 1e-3));
        }
    }
}
