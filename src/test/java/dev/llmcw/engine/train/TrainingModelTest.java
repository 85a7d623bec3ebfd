package dev.llmcw.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.llmcw.TestData;
import dev.llmcw.engine.LlamaEngine;
import dev.llmcw.engine.Perplexity;
import dev.llmcw.model.Llama2cLoader;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.RopeScaling;
import dev.llmcw.model.WeightNames;
import dev.llmcw.tensor.Linear;
import dev.llmcw.testing.Slow;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The training model against the inference engine, and the training path's contracts. */
class TrainingModelTest {
    /** The engine's perplexity of doc after BOS, as mean NLL per token. */
    private static double engineLoss(Model m, int[] withBos) {
        Perplexity p = new Perplexity(new LlamaEngine(m), withBos[0], withBos.length + 1);
        p.add(Arrays.copyOfRange(withBos, 1, withBos.length));
        return p.result().nll() / p.result().tokens();
    }

    private static int[] withBos(int[] doc) {
        int[] t = new int[doc.length + 1];
        t[0] = 1;
        System.arraycopy(doc, 0, t, 1, doc.length);
        return t;
    }

    @Test
    @Slow
    void lossEqualsTheEnginesPerplexityOnStories260K() {
        Model m = Llama2cLoader.load(TestData.stories260K());
        LlamaTrainingModel model = new LlamaTrainingModel(m, Map.of(), TrainableNorms.none());
        // the model's own greedy story (low loss) and random ids (high loss), a few hundred tokens each
        int[] story = withBos(new LlamaEngine(m).generate(new int[] {1}, 250));
        Random r = new Random(260);
        int[] noise = new int[201];
        noise[0] = 1;
        for (int i = 1; i < noise.length; i++) noise[i] = 3 + r.nextInt(509);
        for (int[] tokens : List.of(story, noise)) {
            double want = engineLoss(m, tokens), got = model.loss(tokens);
            assertThat(got).isCloseTo(want, offset(1e-5 * want));
            // and the gradient pass reports the same loss
            assertThat(model.lossAndGradients(tokens)).isEqualTo(got);
        }
    }

    @Test
    void lossEqualsTheEngineOnTinyModels() {
        for (ModelConfig c : List.of(
                TinyModels.config(true, true, RopeLayout.INTERLEAVED, null),
                TinyModels.config(false, false, RopeLayout.ROTATE_HALF, new RopeScaling(8, 1, 4, 16)))) {
            Model m = TinyModels.model(c, 3);
            int[] tokens = TinyModels.tokens(40, c.vocabSize(), 9);
            tokens[0] = 1;
            double want = engineLoss(m, tokens);
            assertThat(new LlamaTrainingModel(m, Map.of(), TrainableNorms.none()).loss(tokens))
                    .isCloseTo(want, offset(1e-5 * want));
        }
    }

    @Test
    void zeroInitialisedAdaptersLeaveTheLossAsItWasAndGetGradientsOnlyInA() {
        ModelConfig c = TinyModels.config(false, false, RopeLayout.ROTATE_HALF, null);
        Model m = TinyModels.model(c, 4);
        int[] tokens = TinyModels.tokens(20, c.vocabSize(), 1);
        double frozen = new LlamaTrainingModel(m, Map.of(), TrainableNorms.none()).loss(tokens);
        Map<String, TrainableLinear> adapters = new HashMap<>();
        Random r = new Random(1);
        for (String name : TinyModels.projections(c)) {
            LowRankAdapterLinear a = TinyModels.adapter(LlamaTrainingModel.frozenLayer(m, name), name, 3, r);
            Arrays.fill(a.a().value(), 0f); // LoRA's start: A = 0, so A·B·x = 0
            adapters.put(name, a);
        }
        LlamaTrainingModel model = new LlamaTrainingModel(m, adapters, TrainableNorms.none());
        assertThat(model.loss(tokens)).isEqualTo(frozen);
        model.lossAndGradients(tokens);
        for (Parameter p : model.parameters()) {
            boolean nonzero = false;
            for (float g : p.grad()) nonzero |= g != 0;
            assertThat(nonzero).as(p.name()).isEqualTo(p.name().endsWith(".A"));
        }
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        ModelConfig c = TinyModels.config(true, true, RopeLayout.INTERLEAVED, null);
        Model m = TinyModels.model(c, 5);
        LlamaTrainingModel model = new LlamaTrainingModel(m, TinyModels.adapters(m, 2, 3), TrainableNorms.all());
        int[] tokens = TinyModels.tokens(10, c.vocabSize(), 2);
        model.lossAndGradients(tokens);
        Parameter p = model.parameters().get(3);
        float[] once = p.grad().clone();
        model.lossAndGradients(tokens);
        for (int i = 0; i < once.length; i++) assertThat(p.grad()[i]).isCloseTo(2 * once[i], offset(1e-6f));
        p.zeroGrad();
        assertThat(p.grad()).containsOnly(0f);
    }

    @Test
    void aBackwardPassCutShortBelowTheLowestTrainableLayerGivesTheFullPassesGradients() {
        ModelConfig c = TinyModels.config(true, false, RopeLayout.INTERLEAVED, null);
        Model m = TinyModels.model(c, 10);
        int[] tokens = TinyModels.tokens(16, c.vocabSize(), 4);
        // only the second block's MLP trains (then the last step is its MLP), or its v projection
        for (String name : List.of(WeightNames.up(1), WeightNames.v(1))) {
            float[][] grads = new float[2][];
            for (int run = 0; run < 2; run++) {
                Random r = new Random(5);
                LowRankAdapterLinear a = TinyModels.adapter(LlamaTrainingModel.frozenLayer(m, name), name, 2, r);
                LlamaTrainingModel model = new LlamaTrainingModel(m, Map.of(name, a));
                // run 1 asks for the input's gradient too, which takes the backward pass through every block
                model.lossAndGradients(tokens, run == 0 ? null : new float[15 * c.dim()]);
                grads[run] = a.b().grad();
            }
            assertThat(grads[0]).as(name).containsExactly(grads[1]);
        }
    }

    @Test
    void parametersComeInForwardOrderEachOnce() {
        ModelConfig c = TinyModels.config(false, true, RopeLayout.INTERLEAVED, null);
        Model m = TinyModels.model(c, 6);
        Map<String, TrainableLinear> adapters = new HashMap<>();
        Random r = new Random(2);
        for (String name : List.of(WeightNames.LM_HEAD, WeightNames.down(1), WeightNames.q(0)))
            adapters.put(name, TinyModels.adapter(LlamaTrainingModel.frozenLayer(m, name), name, 1, r));
        TrainableNorms norms = TrainableNorms.only(Set.of(WeightNames.FINAL_NORM, WeightNames.ffnNorm(0)));
        List<String> names = new LlamaTrainingModel(m, adapters, norms)
                .parameters().stream().map(Parameter::name).toList();
        assertThat(names)
                .containsExactly(
                        WeightNames.q(0) + ".A",
                        WeightNames.q(0) + ".B",
                        WeightNames.ffnNorm(0),
                        WeightNames.down(1) + ".A",
                        WeightNames.down(1) + ".B",
                        WeightNames.FINAL_NORM,
                        WeightNames.LM_HEAD + ".A",
                        WeightNames.LM_HEAD + ".B");
    }

    @Test
    void frozenLinearTransposesAnyLinearByProbing() {
        ModelConfig c = TinyModels.config(false, false, RopeLayout.INTERLEAVED, null);
        Model m = TinyModels.model(c, 8);
        FrozenLinear dense = LlamaTrainingModel.frozenLayer(m, WeightNames.gate(1));
        // the same layer behind an opaque Linear with a bias: the probe must recover W alone
        float[] bias = new float[c.hiddenDim()];
        Arrays.fill(bias, 0.5f);
        Linear inner = dense.base();
        Linear opaque = new Linear() {
            public int inFeatures() {
                return inner.inFeatures();
            }

            public int outFeatures() {
                return inner.outFeatures();
            }

            public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
                inner.forward(x, xOff, y, yOff, batch);
                for (int i = 0; i < batch * bias.length; i++) y[yOff + i] += bias[i % bias.length];
            }

            public long storageBytes() {
                return 0;
            }

            public String kind() {
                return "opaque";
            }
        };
        int batch = 7;
        float[] dy = new float[batch * c.hiddenDim()];
        Random r = new Random(3);
        for (int i = 0; i < dy.length; i++) dy[i] = (float) r.nextGaussian();
        float[] want = new float[batch * c.dim()], got = new float[batch * c.dim()];
        dense.backward(null, dy, want, batch);
        new FrozenLinear(opaque).backward(null, dy, got, batch);
        // against W read from the tensor, summed in double
        float[] w = m.tensor(WeightNames.gate(1)).toFloatArray();
        for (int t = 0; t < batch; t++) {
            for (int i = 0; i < c.dim(); i++) {
                double s = 0;
                for (int o = 0; o < c.hiddenDim(); o++) s += (double) dy[t * c.hiddenDim() + o] * w[o * c.dim() + i];
                assertThat(want[t * c.dim() + i]).isCloseTo((float) s, offset(1e-5f));
                assertThat(got[t * c.dim() + i]).isCloseTo((float) s, offset(1e-5f));
            }
        }
        assertThat(new FrozenLinear(opaque).parameters()).isEmpty();
    }

    @Test
    void badInputIsRefusedWithOneSentence() {
        ModelConfig c = TinyModels.config(false, false, RopeLayout.INTERLEAVED, null);
        Model m = TinyModels.model(c, 9);
        LlamaTrainingModel model = new LlamaTrainingModel(m, Map.of(), TrainableNorms.none());
        assertThatThrownBy(() -> model.loss(new int[] {1}))
                .hasMessage("a training sequence needs at least 2 tokens, got 1");
        assertThatThrownBy(() -> model.loss(new int[] {1, 50}))
                .hasMessage("token id 50 at index 1 is outside the vocabulary of 50");
        assertThatThrownBy(() -> new LlamaTrainingModel(
                        m,
                        Map.of(
                                "model.layers.7.mlp.up_proj.weight",
                                LlamaTrainingModel.frozenLayer(m, WeightNames.up(0))),
                        TrainableNorms.none()))
                .hasMessageContaining(
                        "no projection of this 2-layer model is named [model.layers.7.mlp.up_proj.weight]");
        assertThatThrownBy(() -> new LlamaTrainingModel(
                        m,
                        Map.of(WeightNames.q(0), LlamaTrainingModel.frozenLayer(m, WeightNames.up(0))),
                        TrainableNorms.none()))
                .hasMessage(WeightNames.q(0) + ": layer is 40×16, the model's config needs 16×16");
        assertThatThrownBy(() -> new LlamaTrainingModel(m, Map.of(), TrainableNorms.only(Set.of("model.norm"))))
                .hasMessage("no RMSNorm of this 2-layer model is named model.norm");
        assertThatThrownBy(() -> new LowRankAdapterLinear(
                        LlamaTrainingModel.frozenLayer(m, WeightNames.q(0)),
                        new Parameter("a", new float[16 * 2]),
                        new Parameter("b", new float[5]),
                        2))
                .hasMessage("b has 5 values, an adapter B of 2×16 needs 32");
    }
}
