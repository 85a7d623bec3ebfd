package dev.llmcw.engine.train;

import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.RopeScaling;
import dev.llmcw.model.WeightNames;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Tiny random Llama models with every part the backward pass goes through, and adapters on every projection. */
final class TinyModels {
    private TinyModels() {}

    /** dim 16, 2 layers, 4 heads over 2 KV heads (head size 4), hidden 40, vocab 50. */
    static ModelConfig config(boolean bias, boolean tied, RopeLayout layout, RopeScaling scaling) {
        return new ModelConfig("llama", 16, 40, 2, 4, 2, 4, 50, 64, 1e-5f, 10000f, layout, scaling, tied, bias);
    }

    /** Random weights (normal / √fan-in), norms 1 + 0.1·N, biases 0.3·N. */
    static Model model(ModelConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> t = new HashMap<>();
        t.put(WeightNames.EMBED, matrix(r, c.vocabSize(), c.dim(), 1.0));
        for (int i = 0; i < c.nLayers(); i++) {
            t.put(WeightNames.attnNorm(i), norm(r, c.dim()));
            t.put(WeightNames.ffnNorm(i), norm(r, c.dim()));
            t.put(WeightNames.q(i), matrix(r, c.qDim(), c.dim(), 1 / Math.sqrt(c.dim())));
            t.put(WeightNames.k(i), matrix(r, c.kvDim(), c.dim(), 1 / Math.sqrt(c.dim())));
            t.put(WeightNames.v(i), matrix(r, c.kvDim(), c.dim(), 1 / Math.sqrt(c.dim())));
            t.put(WeightNames.o(i), matrix(r, c.dim(), c.qDim(), 1 / Math.sqrt(c.qDim())));
            t.put(WeightNames.gate(i), matrix(r, c.hiddenDim(), c.dim(), 1 / Math.sqrt(c.dim())));
            t.put(WeightNames.up(i), matrix(r, c.hiddenDim(), c.dim(), 1 / Math.sqrt(c.dim())));
            t.put(WeightNames.down(i), matrix(r, c.dim(), c.hiddenDim(), 1 / Math.sqrt(c.hiddenDim())));
            if (c.attentionBias()) {
                t.put(WeightNames.qBias(i), vector(r, c.qDim(), 0.3));
                t.put(WeightNames.kBias(i), vector(r, c.kvDim(), 0.3));
                t.put(WeightNames.vBias(i), vector(r, c.kvDim(), 0.3));
            }
        }
        t.put(WeightNames.FINAL_NORM, norm(r, c.dim()));
        if (!c.tiedEmbeddings()) t.put(WeightNames.LM_HEAD, matrix(r, c.vocabSize(), c.dim(), 1 / Math.sqrt(c.dim())));
        return new Model(c, t, Map.of(), null, null, "synthetic", "tiny random", Map.of());
    }

    /** Every projection weight name of the model, the classifier last. */
    static List<String> projections(ModelConfig c) {
        List<String> names = new ArrayList<>(WeightNames.blockLinearWeights(c.nLayers()));
        names.add(WeightNames.LM_HEAD);
        return names;
    }

    /** A rank-r adapter with random (nonzero) A and B on every projection, over the model's frozen layer. */
    static Map<String, TrainableLinear> adapters(Model m, int rank, long seed) {
        Random r = new Random(seed);
        Map<String, TrainableLinear> out = new LinkedHashMap<>();
        for (String name : projections(m.config()))
            out.put(name, adapter(LlamaTrainingModel.frozenLayer(m, name), name, rank, r));
        return out;
    }

    static LowRankAdapterLinear adapter(TrainableLinear base, String name, int rank, Random r) {
        Parameter a = new Parameter(name + ".A", values(r, base.outFeatures() * rank, 0.3));
        Parameter b = new Parameter(name + ".B", values(r, rank * base.inFeatures(), 0.3));
        return new LowRankAdapterLinear(base, a, b, rank);
    }

    static int[] tokens(int n, int vocab, long seed) {
        Random r = new Random(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(vocab);
        return t;
    }

    private static Tensor matrix(Random r, int rows, int cols, double scale) {
        return F32Tensor.of(values(r, rows * cols, scale), rows, cols);
    }

    private static Tensor vector(Random r, int n, double scale) {
        return F32Tensor.of(values(r, n, scale), n);
    }

    private static Tensor norm(Random r, int n) {
        float[] v = values(r, n, 0.1);
        for (int i = 0; i < n; i++) v[i] += 1f;
        return F32Tensor.of(v, n);
    }

    private static float[] values(Random r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * scale);
        return v;
    }
}
