package dev.llmcw.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.WeightNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The block-wise objective (one decoder block's output against a target, mean squared error): its gradients
 * for the block's RMSNorm weights and adapters against central finite differences, its forward pass against
 * the whole-model forward (a block run on the previous block's output is that model's layer), and the
 * backward pass confined to the block.
 */
class BlockMseGradientTest {
    private static final double H = 1e-2, ABS = 2e-3, REL = 1e-2;

    @Test
    void blockMseGradientsMatchFiniteDifferences() {
        ModelConfig config = TinyModels.config(true, true, RopeLayout.INTERLEAVED, null);
        Model m = TinyModels.model(config, 7);
        var model = new LlamaTrainingModel(m, TinyModels.adapters(m, 2, 11), TrainableNorms.all());
        int[] tokens = TinyModels.tokens(13, config.vocabSize(), 5);
        float[] x0 = model.embedAll(tokens);
        int n = tokens.length, layer = 1;
        float[] x1 = model.blockForward(0, x0, n);
        float[] target = new float[x1.length];
        Random r = new Random(3);
        for (int i = 0; i < target.length; i++) target[i] = x1[i] + (float) r.nextGaussian();
        model.blockMseAndGradients(layer, x1, target, n);
        List<Parameter> block = model.blockParameters(layer);
        assertThat(block).hasSize(2 + 7 * 2);
        List<String> failures = new ArrayList<>();
        for (Parameter p : block) {
            double scale = 0;
            for (float g : p.grad()) scale = Math.max(scale, Math.abs(g));
            assertThat(scale).as(p.name() + " has a gradient").isGreaterThan(0);
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) {
                float keep = v[i];
                v[i] = (float) (keep + H);
                double plus = model.blockMse(layer, x1, target, n);
                v[i] = (float) (keep - H);
                double minus = model.blockMse(layer, x1, target, n);
                v[i] = keep;
                double fd = (plus - minus) / ((double) (float) (keep + H) - (float) (keep - H));
                if (Math.abs(fd - p.grad()[i]) > ABS * scale + REL * Math.abs(p.grad()[i]))
                    failures.add(p.name() + "[" + i + "]: finite difference " + fd + ", analytic " + p.grad()[i]);
            }
        }
        assertThat(failures).isEmpty();
        // only block 1 was differentiated: block 0's and the final norm's gradients stay zero
        for (Parameter p : model.blockParameters(0))
            for (float g : p.grad()) assertThat(g).isZero();
    }

    @Test
    void blocksInSequenceAreTheInferenceEnginesForwardPass() {
        ModelConfig config = TinyModels.config(false, false, RopeLayout.ROTATE_HALF, null);
        Model m = TinyModels.model(config, 9);
        var model = new LlamaTrainingModel(m, Map.of());
        int[] tokens = TinyModels.tokens(11, config.vocabSize(), 2);
        int n = tokens.length, dim = config.dim(), vocab = config.vocabSize();
        float[] x = model.embedAll(tokens);
        for (int layer = 0; layer < config.nLayers(); layer++) x = model.blockForward(layer, x, n);
        float[] normed = new float[n * dim], inv = new float[n], logits = new float[n * vocab];
        RmsNorm.forward(x, m.tensor(WeightNames.FINAL_NORM).toFloatArray(), normed, inv, n, dim, config.rmsEps());
        LlamaTrainingModel.frozenLayer(m, WeightNames.LM_HEAD).forward(normed, logits, n);
        float[][] engine = new LlamaEngine(m).logits(tokens);
        for (int t = 0; t < n; t++)
            for (int v = 0; v < vocab; v++)
                assertThat(logits[t * vocab + v])
                        .as("position %d, token %d", t, v)
                        .isCloseTo(engine[t][v], offset(1e-4f));
        // the MSE against an all-zero target is the stream's mean square
        double ms = 0;
        for (float v : x) ms += (double) v * v;
        float[] x0 = model.embedAll(tokens), x1 = model.blockForward(0, x0, n);
        assertThat(model.blockMse(1, x1, new float[x.length], n)).isCloseTo(ms / x.length, offset(1e-9 * (1 + ms)));
    }
}
