package dev.llmcw.engine.train;

import dev.llmcw.engine.DenseLinear;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.WeightNames;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The projections of the training model: the caller's {@link TrainableLinear} for a weight name where it
 * gives one, else a {@link FrozenLinear} over the layer the inference engine would run (the model's
 * replacement layer, or its stored tensor, or for a tied classifier the embedding), checked against the
 * config's shapes.
 */
final class Projections {
    /** A block's seven projections. */
    record Block(
            TrainableLinear q,
            TrainableLinear k,
            TrainableLinear v,
            TrainableLinear o,
            TrainableLinear gate,
            TrainableLinear up,
            TrainableLinear down) {}

    private final Model model;
    private final Map<String, TrainableLinear> given;
    private final Set<String> used = new HashSet<>();

    private Projections(Model model, Map<String, TrainableLinear> given) {
        this.model = model;
        this.given = given;
    }

    /** The blocks in layer order and the classifier, via {@code out}; refuses names that are no projection. */
    static Block[] resolve(Model model, Map<String, TrainableLinear> given, TrainableLinear[] lmHeadOut) {
        ModelConfig c = model.config();
        Projections p = new Projections(model, given);
        Block[] blocks = new Block[c.nLayers()];
        for (int i = 0; i < c.nLayers(); i++) {
            blocks[i] = new Block(
                    p.get(WeightNames.q(i), c.qDim(), c.dim()),
                    p.get(WeightNames.k(i), c.kvDim(), c.dim()),
                    p.get(WeightNames.v(i), c.kvDim(), c.dim()),
                    p.get(WeightNames.o(i), c.dim(), c.qDim()),
                    p.get(WeightNames.gate(i), c.hiddenDim(), c.dim()),
                    p.get(WeightNames.up(i), c.hiddenDim(), c.dim()),
                    p.get(WeightNames.down(i), c.dim(), c.hiddenDim()));
        }
        lmHeadOut[0] = p.get(WeightNames.LM_HEAD, c.vocabSize(), c.dim());
        Set<String> unknown = new HashSet<>(given.keySet());
        unknown.removeAll(p.used);
        if (!unknown.isEmpty())
            throw new IllegalArgumentException("no projection of this " + c.nLayers() + "-layer model is named "
                    + unknown.stream().sorted().toList() + " (names are WeightNames.q(i), …, WeightNames.LM_HEAD)");
        return blocks;
    }

    private TrainableLinear get(String name, int out, int in) {
        used.add(name);
        TrainableLinear l = given.get(name);
        if (l == null) l = new FrozenLinear(engineLayer(model, name));
        if (l.outFeatures() != out || l.inFeatures() != in)
            throw new IllegalArgumentException(name + ": layer is " + l.outFeatures() + "×" + l.inFeatures()
                    + ", the model's config needs " + out + "×" + in);
        return l;
    }

    /** The layer the inference engine runs for this weight (the same choice as its LlamaWeights). */
    static Linear engineLayer(Model model, String name) {
        Linear l = model.linears().get(name);
        if (l != null) return l;
        boolean tiedHead = name.equals(WeightNames.LM_HEAD) && model.config().tiedEmbeddings();
        Tensor t = model.tensor(tiedHead ? WeightNames.EMBED : name);
        if (t.rank() != 2) throw new IllegalArgumentException(name + " has shape " + t + ", a projection needs 2-D");
        return new DenseLinear(t);
    }
}
