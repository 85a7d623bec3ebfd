package dev.llmcw.engine;

import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.WeightNames;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;

/**
 * A Llama-family model's weights as the forward pass uses them, checked against its config: the
 * embedding, per layer the norms, the seven projections as {@link Linear}s (a compressed layer from
 * {@link Model#linears()} where there is one, else a {@link DenseLinear} over the stored tensor) and the
 * optional q/k/v biases, the final norm and the classifier (tied to the embedding or not).
 */
final class LlamaWeights {
    /** A layer's attention weights: its input norm, the four projections, and the q/k/v biases (all null without biases). */
    record Attention(
            float[] norm, Linear q, Linear k, Linear v, Linear o, float[] qBias, float[] kBias, float[] vBias) {}

    /** A layer's MLP weights: its input norm and the SwiGLU projections. */
    record Mlp(float[] norm, Linear gate, Linear up, Linear down) {}

    record Layer(Attention attention, Mlp mlp) {}

    private final Tensor embed;
    private final Layer[] layers;
    private final float[] finalNorm;
    private final Linear lmHead;

    LlamaWeights(Model model) {
        ModelConfig c = model.config();
        this.embed = model.tensor(WeightNames.EMBED);
        checkShape(embed, c.vocabSize(), c.dim(), WeightNames.EMBED);
        this.layers = new Layer[c.nLayers()];
        for (int i = 0; i < c.nLayers(); i++) {
            // loaded (and checked) in the order of the weight names' layout: the first bad one is reported
            float[] attnNorm = vector(model, WeightNames.attnNorm(i), c.dim()),
                    ffnNorm = vector(model, WeightNames.ffnNorm(i), c.dim());
            Linear q = linear(model, WeightNames.q(i), c.qDim(), c.dim()),
                    k = linear(model, WeightNames.k(i), c.kvDim(), c.dim());
            Linear v = linear(model, WeightNames.v(i), c.kvDim(), c.dim()),
                    o = linear(model, WeightNames.o(i), c.dim(), c.qDim());
            Linear gate = linear(model, WeightNames.gate(i), c.hiddenDim(), c.dim()),
                    up = linear(model, WeightNames.up(i), c.hiddenDim(), c.dim());
            Linear down = linear(model, WeightNames.down(i), c.dim(), c.hiddenDim());
            float[] qBias = c.attentionBias() ? vector(model, WeightNames.qBias(i), c.qDim()) : null;
            float[] kBias = c.attentionBias() ? vector(model, WeightNames.kBias(i), c.kvDim()) : null;
            float[] vBias = c.attentionBias() ? vector(model, WeightNames.vBias(i), c.kvDim()) : null;
            layers[i] = new Layer(
                    new Attention(attnNorm, q, k, v, o, qBias, kBias, vBias), new Mlp(ffnNorm, gate, up, down));
        }
        this.finalNorm = vector(model, WeightNames.FINAL_NORM, c.dim());
        if (model.linears().containsKey(WeightNames.LM_HEAD)) {
            this.lmHead = linear(model, WeightNames.LM_HEAD, c.vocabSize(), c.dim());
        } else if (c.tiedEmbeddings()) {
            this.lmHead = new DenseLinear(embed);
        } else {
            this.lmHead = linear(model, WeightNames.LM_HEAD, c.vocabSize(), c.dim());
        }
    }

    Tensor embed() {
        return embed;
    }

    Layer layer(int i) {
        return layers[i];
    }

    int layerCount() {
        return layers.length;
    }

    float[] finalNorm() {
        return finalNorm;
    }

    Linear lmHead() {
        return lmHead;
    }

    /**
     * Bytes the weights occupy as the forward pass holds them: the embedding and an untied classifier as
     * stored, every projection in its own storage ({@link Linear#storageBytes}), the norms as floats.
     */
    long residentBytes() {
        long b = embed.byteSize() + 4L * finalNorm.length;
        if (!(lmHead instanceof DenseLinear d && d.weight() == embed)) b += lmHead.storageBytes();
        for (Layer l : layers) {
            Attention a = l.attention();
            Mlp m = l.mlp();
            b += 4L * (a.norm().length + m.norm().length);
            for (float[] bias : new float[][] {a.qBias(), a.kBias(), a.vBias()})
                if (bias != null) b += 4L * bias.length;
            for (Linear x : new Linear[] {a.q(), a.k(), a.v(), a.o(), m.gate(), m.up(), m.down()})
                b += x.storageBytes();
        }
        return b;
    }

    /** Inputs × outputs of every projection and of the classifier (the embedding lookup costs nothing). */
    long weightsPerToken() {
        long w = (long) lmHead.inFeatures() * lmHead.outFeatures();
        for (Layer l : layers) {
            Attention a = l.attention();
            Mlp m = l.mlp();
            for (Linear x : new Linear[] {a.q(), a.k(), a.v(), a.o(), m.gate(), m.up(), m.down()})
                w += (long) x.inFeatures() * x.outFeatures();
        }
        return w;
    }

    private static Linear linear(Model m, String name, int out, int in) {
        Linear l = m.linears().get(name);
        if (l == null) {
            Tensor t = m.tensor(name);
            checkShape(t, out, in, name);
            l = new DenseLinear(t);
        }
        if (l.outFeatures() != out || l.inFeatures() != in) {
            throw new IllegalArgumentException(name + ": linear is " + l.outFeatures() + "x" + l.inFeatures()
                    + ", the config needs " + out + "x" + in);
        }
        return l;
    }

    private static void checkShape(Tensor t, int rows, int cols, String name) {
        if (t.rank() != 2 || t.rows() != rows || t.cols() != cols) {
            throw new IllegalArgumentException(
                    name + " has shape " + t + ", the config needs [" + rows + ", " + cols + "]");
        }
    }

    private static float[] vector(Model m, String name, int n) {
        Tensor t = m.tensor(name);
        if (t.numel() != n)
            throw new IllegalArgumentException(name + " has " + t.numel() + " values, the config needs " + n);
        return t.toFloatArray();
    }
}
