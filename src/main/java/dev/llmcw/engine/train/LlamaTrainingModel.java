package dev.llmcw.engine.train;

import dev.llmcw.engine.RotaryEmbedding;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.WeightNames;
import dev.llmcw.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Llama forward pass with saved activations, and its backward pass, for fine-tuning parts of a
 * (compressed) model: the same computation as {@link dev.llmcw.engine.LlamaEngine} over one causal
 * sequence (embedding, per block RMSNorm → q/k/v (+ frozen biases) → RoPE → grouped-query causal softmax
 * attention → o → residual, RMSNorm → SwiGLU MLP → residual; final RMSNorm, classifier tied or not), then
 * the mean next-token cross-entropy. Float32 throughout, sums in double where the engine has them.
 *
 * <p>Trainable: the {@link Parameter}s of the {@link TrainableLinear}s the caller gives (e.g. the A and B of
 * a {@link LowRankAdapterLinear}) and the RMSNorm weights {@link TrainableNorms} names. Everything else is
 * frozen; the embedding gets no gradient (its rows' gradient is available through
 * {@link #lossAndGradients(int[], float[])}). The backward pass stops at the lowest block that has a
 * trainable parameter.
 *
 * <p>Memory for a sequence of n tokens (T = n − 1 rows): per block T·(4·dim + 2·qDim + 2·kvDim + 3·hidden)
 * floats plus heads·T² for the attention probabilities, then T·vocab for the logits and their gradient,
 * plus the transposed copies of the frozen layers (see {@link FrozenLinear}). stories260K at T = 256:
 * about 3 MB per block (2 MB of it attention probabilities), 5 blocks, plus 1 MB of logits: about 17 MB.
 * Linear in T except the attention's T² term, which dominates past T ≈ (4·dim + 2·qDim + 2·kvDim +
 * 3·hidden)/heads.
 *
 * <p>One call at a time per instance (calls are not thread-safe); each call uses all engine threads.
 */
public final class LlamaTrainingModel {
    private final ModelConfig c;
    private final Tensor embed;
    private final Projections.Block[] blocks;
    private final TrainableLinear lmHead;
    private final Norm[] attnNorms, mlpNorms;
    private final Norm finalNorm;
    private final float[][] qBias, kBias, vBias;
    private final RotaryEmbedding rope;
    private final CausalSelfAttention attention;
    private final List<Parameter> parameters;
    /** The lowest block whose backward pass is needed for a parameter's gradient (nLayers: none is). */
    private final int lowestTrainableBlock;
    /** Whether that block's attention half (its norm, q, k, v, o) has a trainable parameter; if not, its MLP is the last step. */
    private final boolean lowestAttentionTrainable;

    /** An RMSNorm weight: the values the pass uses, and the Parameter holding them when trainable (else null). */
    private record Norm(float[] weight, Parameter parameter) {
        float[] grad() {
            return parameter == null ? null : parameter.grad();
        }
    }

    /** The forward pass's saved activations: per block, then the final stream, its norm and the logits. */
    private record Pass(LayerActivations[] layers, float[] out, float[] inv, float[] normed, float[] logits) {}

    /** Every norm frozen: only the given layers' parameters train. */
    public LlamaTrainingModel(Model model, Map<String, TrainableLinear> linears) {
        this(model, linears, TrainableNorms.none());
    }

    /**
     * @param linears for each projection weight name ({@link WeightNames#q}(i), …, {@link WeightNames#LM_HEAD})
     *     the layer to use; names absent from the map become a {@link FrozenLinear} over the model's own layer
     * @param norms which RMSNorm weights are trainable
     */
    public LlamaTrainingModel(Model model, Map<String, TrainableLinear> linears, TrainableNorms norms) {
        this.c = model.config();
        this.embed = model.tensor(WeightNames.EMBED);
        if (embed.rank() != 2 || embed.rows() != c.vocabSize() || embed.cols() != c.dim())
            throw new IllegalArgumentException(WeightNames.EMBED + " has shape " + embed + ", the config needs ["
                    + c.vocabSize() + ", " + c.dim() + "]");
        TrainableLinear[] head = new TrainableLinear[1];
        this.blocks = Projections.resolve(model, Map.copyOf(linears), head);
        this.lmHead = head[0];
        int layers = c.nLayers();
        checkNormNames(norms, layers);
        attnNorms = new Norm[layers];
        mlpNorms = new Norm[layers];
        qBias = new float[layers][];
        kBias = new float[layers][];
        vBias = new float[layers][];
        for (int i = 0; i < layers; i++) {
            attnNorms[i] = norm(model, WeightNames.attnNorm(i), norms);
            mlpNorms[i] = norm(model, WeightNames.ffnNorm(i), norms);
            if (c.attentionBias()) {
                qBias[i] = vector(model, WeightNames.qBias(i), c.qDim());
                kBias[i] = vector(model, WeightNames.kBias(i), c.kvDim());
                vBias[i] = vector(model, WeightNames.vBias(i), c.kvDim());
            }
        }
        finalNorm = norm(model, WeightNames.FINAL_NORM, norms);
        rope = new RotaryEmbedding(c);
        attention = new CausalSelfAttention(c);
        this.parameters = collectParameters();
        int lowest = layers;
        for (int i = 0; i < layers && lowest == layers; i++) {
            if (trainsAttention(i) || trainsMlp(i)) lowest = i;
        }
        this.lowestTrainableBlock = lowest;
        this.lowestAttentionTrainable = lowest < layers && trainsAttention(lowest);
    }

    /** Every trainable parameter, block by block in forward order, each once (a Parameter may be shared). */
    private List<Parameter> collectParameters() {
        List<Parameter> ps = new ArrayList<>();
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < c.nLayers(); i++) {
            Projections.Block b = blocks[i];
            add(ps, seen, attnNorms[i]);
            for (TrainableLinear l : List.of(b.q(), b.k(), b.v(), b.o())) add(ps, seen, l.parameters());
            add(ps, seen, mlpNorms[i]);
            for (TrainableLinear l : List.of(b.gate(), b.up(), b.down())) add(ps, seen, l.parameters());
        }
        add(ps, seen, finalNorm);
        add(ps, seen, lmHead.parameters());
        return List.copyOf(ps);
    }

    /** Whether block i's attention half (its norm, q, k, v, o) has a trainable parameter. */
    private boolean trainsAttention(int i) {
        Projections.Block b = blocks[i];
        boolean any = attnNorms[i].parameter() != null;
        for (TrainableLinear l : List.of(b.q(), b.k(), b.v(), b.o()))
            any |= !l.parameters().isEmpty();
        return any;
    }

    /** Whether block i's MLP half (its norm, gate, up, down) has a trainable parameter. */
    private boolean trainsMlp(int i) {
        Projections.Block b = blocks[i];
        boolean any = mlpNorms[i].parameter() != null;
        for (TrainableLinear l : List.of(b.gate(), b.up(), b.down()))
            any |= !l.parameters().isEmpty();
        return any;
    }

    /**
     * The model's own layer for a projection weight name, frozen: what the training model uses for a name
     * the caller does not replace, and the base to wrap an adapter around. The same layer the inference
     * engine runs (a compressed replacement layer, the stored tensor, or for a tied classifier the embedding).
     */
    public static FrozenLinear frozenLayer(Model model, String weightName) {
        return new FrozenLinear(Projections.engineLayer(model, weightName));
    }

    public ModelConfig config() {
        return c;
    }

    /** Every trainable Parameter (adapters' A/B, trainable RMSNorm weights), block by block in forward order, each once. */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** Mean next-token cross-entropy over tokens[1..n-1] predicted from tokens[0..n-2] (positions from 0); forward only. */
    public double loss(int[] tokens) {
        int[] targets = targets(tokens);
        return CrossEntropy.loss(
                forward(embed(tokens), targets).logits(), targets, targets.length, c.vocabSize(), null);
    }

    /** Same loss; also accumulates dLoss/dθ into every trainable Parameter's grad (does not zero them first). */
    public double lossAndGradients(int[] tokens) {
        return lossAndGradients(tokens, null);
    }

    /**
     * As {@link #lossAndGradients(int[])}; when {@code inputGradient} is not null it receives dLoss/d(the
     * embedded rows of tokens[0..n-2]), (n−1)×dim, and the backward pass then runs through every block.
     */
    public double lossAndGradients(int[] tokens, float[] inputGradient) {
        return lossAndGradients(embed(tokens), targets(tokens), inputGradient);
    }

    /** The loss of embedded input rows (T×dim) and their targets: what the finite-difference tests perturb. */
    double loss(float[] input, int[] targets) {
        return CrossEntropy.loss(forward(input, targets).logits(), targets, targets.length, c.vocabSize(), null);
    }

    double lossAndGradients(float[] input, int[] targets, float[] inputGradient) {
        int n = targets.length, dim = c.dim(), vocab = c.vocabSize();
        if (inputGradient != null && inputGradient.length != n * dim)
            throw new IllegalArgumentException("the input gradient needs " + n * dim + " floats (" + n + " rows of "
                    + dim + "), got " + inputGradient.length);
        Pass pass = forward(input, targets);
        float[] dLogits = new float[Math.multiplyExact(n, vocab)];
        double loss = CrossEntropy.loss(pass.logits(), targets, n, vocab, dLogits);
        int stop = inputGradient != null ? 0 : lowestTrainableBlock;
        if (stop == c.nLayers() && parameters.isEmpty()) return loss;
        float[] dNormed = new float[n * dim], dx = new float[n * dim];
        lmHead.backward(pass.normed(), dLogits, dNormed, n);
        RmsNorm.backward(pass.out(), finalNorm.weight(), pass.inv(), dNormed, dx, finalNorm.grad(), n, dim);
        for (int i = c.nLayers() - 1; i >= stop; i--) {
            mlpBackward(i, pass.layers()[i], dx, n);
            if (i > stop || inputGradient != null || lowestAttentionTrainable)
                attentionBackward(i, pass.layers()[i], dx, n);
        }
        if (inputGradient != null) System.arraycopy(dx, 0, inputGradient, 0, n * dim);
        return loss;
    }

    // ------------------------------------------------------------------ one block (block-wise fine-tuning)

    /** Block {@code layer}'s trainable parameters (its norms', its projections'), each once, in forward order. */
    public List<Parameter> blockParameters(int layer) {
        checkLayer(layer);
        List<Parameter> ps = new ArrayList<>();
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Projections.Block b = blocks[layer];
        add(ps, seen, attnNorms[layer]);
        for (TrainableLinear l : List.of(b.q(), b.k(), b.v(), b.o())) add(ps, seen, l.parameters());
        add(ps, seen, mlpNorms[layer]);
        for (TrainableLinear l : List.of(b.gate(), b.up(), b.down())) add(ps, seen, l.parameters());
        return List.copyOf(ps);
    }

    /** The embedded rows of every token (n×dim, positions 0..n−1): the first block's input. */
    public float[] embedAll(int[] tokens) {
        int dim = c.dim();
        float[] x = new float[Math.multiplyExact(tokens.length, dim)];
        for (int t = 0; t < tokens.length; t++) {
            if (tokens[t] < 0 || tokens[t] >= c.vocabSize())
                throw new IllegalArgumentException(
                        "token id " + tokens[t] + " at index " + t + " is outside the vocabulary of " + c.vocabSize());
            embed.toFloat((long) tokens[t] * dim, x, t * dim, dim);
        }
        return x;
    }

    /** Block {@code layer}'s output for input rows {@code x} (n×dim, positions 0..n−1); forward only. */
    public float[] blockForward(int layer, float[] x, int n) {
        checkLayer(layer);
        float[] out = x.clone();
        LayerActivations a = new LayerActivations(c, n);
        blockForward(layer, a, out, n);
        return out;
    }

    /** Mean over all n·dim elements of (block output − target)²; forward only. */
    public double blockMse(int layer, float[] x, float[] target, int n) {
        return mse(blockForward(layer, x, n), target, null);
    }

    /**
     * The same mean squared error; adds its gradients into the parameters of block {@code layer} (the backward
     * pass runs through this block only: the input is data, not a function of earlier parameters).
     */
    public double blockMseAndGradients(int layer, float[] x, float[] target, int n) {
        checkLayer(layer);
        float[] out = x.clone();
        LayerActivations a = new LayerActivations(c, n);
        blockForward(layer, a, out, n);
        float[] dx = new float[out.length];
        double mse = mse(out, target, dx);
        mlpBackward(layer, a, dx, n);
        attentionBackward(layer, a, dx, n);
        return mse;
    }

    private void blockForward(int layer, LayerActivations a, float[] x, int n) {
        int dim = c.dim();
        if (x.length != n * dim)
            throw new IllegalArgumentException(
                    "a block input of " + n + " rows needs " + n * dim + " floats, got " + x.length);
        System.arraycopy(x, 0, a.in, 0, n * dim);
        attentionForward(layer, a, x, positions(n), n);
        System.arraycopy(x, 0, a.mid, 0, n * dim);
        mlpForward(layer, a, x, n);
    }

    /** Mean of (out − target)² in double; when {@code grad} is not null it receives 2·(out − target)/N. */
    private static double mse(float[] out, float[] target, float[] grad) {
        if (target.length != out.length)
            throw new IllegalArgumentException(
                    "the target has " + target.length + " floats, the block output " + out.length);
        double s = 0, scale = 2.0 / out.length;
        for (int i = 0; i < out.length; i++) {
            double d = (double) out[i] - target[i];
            s += d * d;
            if (grad != null) grad[i] = (float) (scale * d);
        }
        return s / out.length;
    }

    private void checkLayer(int layer) {
        if (layer < 0 || layer >= c.nLayers())
            throw new IllegalArgumentException("no block " + layer + " in this " + c.nLayers() + "-layer model");
    }

    // ------------------------------------------------------------------ forward

    private Pass forward(float[] input, int[] targets) {
        int n = targets.length, dim = c.dim();
        LayerActivations[] saved = new LayerActivations[c.nLayers()];
        float[] x = input.clone();
        int[] positions = positions(n);
        for (int i = 0; i < c.nLayers(); i++) {
            LayerActivations a = saved[i] = new LayerActivations(c, n);
            System.arraycopy(x, 0, a.in, 0, n * dim);
            attentionForward(i, a, x, positions, n);
            System.arraycopy(x, 0, a.mid, 0, n * dim);
            mlpForward(i, a, x, n);
        }
        float[] inv = new float[n], normed = new float[n * dim];
        RmsNorm.forward(x, finalNorm.weight(), normed, inv, n, dim, c.rmsEps());
        float[] logits = new float[Math.multiplyExact(n, c.vocabSize())];
        lmHead.forward(normed, logits, n);
        return new Pass(saved, x, inv, normed, logits);
    }

    /** x += o(attention(rope(q), rope(k), v)) of the normed x. */
    private void attentionForward(int li, LayerActivations a, float[] x, int[] positions, int n) {
        Projections.Block b = blocks[li];
        RmsNorm.forward(x, attnNorms[li].weight(), a.attnNormed, a.attnInv, n, c.dim(), c.rmsEps());
        b.q().forward(a.attnNormed, a.q, n);
        b.k().forward(a.attnNormed, a.k, n);
        b.v().forward(a.attnNormed, a.v, n);
        if (c.attentionBias()) {
            addBias(a.q, qBias[li], n);
            addBias(a.k, kBias[li], n);
            addBias(a.v, vBias[li], n);
        }
        rope.rotate(a.q, n, c.nHeads(), positions);
        rope.rotate(a.k, n, c.nKvHeads(), positions);
        attention.forward(a, n);
        float[] proj = new float[n * c.dim()];
        b.o().forward(a.att, proj, n);
        addInto(x, proj, n * c.dim());
    }

    /** x += down(silu(gate(normed x)) ⊙ up(normed x)). */
    private void mlpForward(int li, LayerActivations a, float[] x, int n) {
        Projections.Block b = blocks[li];
        RmsNorm.forward(x, mlpNorms[li].weight(), a.mlpNormed, a.mlpInv, n, c.dim(), c.rmsEps());
        b.gate().forward(a.mlpNormed, a.gate, n);
        b.up().forward(a.mlpNormed, a.up, n);
        SwiGlu.forward(a.gate, a.up, a.hidden, n * c.hiddenDim());
        float[] proj = new float[n * c.dim()];
        b.down().forward(a.hidden, proj, n);
        addInto(x, proj, n * c.dim());
    }

    // ------------------------------------------------------------------ backward

    /** dx (the gradient at the block's output) becomes the gradient at the MLP's residual input. */
    private void mlpBackward(int li, LayerActivations a, float[] dx, int n) {
        Projections.Block b = blocks[li];
        int dim = c.dim(), size = n * c.hiddenDim();
        float[] dHidden = new float[size], dGate = new float[size], dUp = new float[size];
        b.down().backward(a.hidden, dx, dHidden, n);
        SwiGlu.backward(a.gate, a.up, dHidden, dGate, dUp, size);
        float[] dNormed = new float[n * dim], part = new float[n * dim];
        b.gate().backward(a.mlpNormed, dGate, dNormed, n);
        b.up().backward(a.mlpNormed, dUp, part, n);
        addInto(dNormed, part, n * dim);
        RmsNorm.backward(a.mid, mlpNorms[li].weight(), a.mlpInv, dNormed, dx, mlpNorms[li].grad(), n, dim);
    }

    /** dx (the gradient after the attention's residual add) becomes the gradient at the block's input. */
    private void attentionBackward(int li, LayerActivations a, float[] dx, int n) {
        Projections.Block b = blocks[li];
        int dim = c.dim();
        float[] dAtt = new float[n * c.qDim()];
        b.o().backward(a.att, dx, dAtt, n);
        float[] dq = new float[n * c.qDim()], dk = new float[n * c.kvDim()], dv = new float[n * c.kvDim()];
        attention.backward(a, dAtt, dq, dk, dv, n);
        int[] positions = positions(n);
        rope.rotateBack(dq, n, c.nHeads(), positions);
        rope.rotateBack(dk, n, c.nKvHeads(), positions);
        // the q/k/v biases are frozen: their gradient would be the column sums of dq, dk, dv, not needed
        float[] dNormed = new float[n * dim], part = new float[n * dim];
        b.q().backward(a.attnNormed, dq, dNormed, n);
        b.k().backward(a.attnNormed, dk, part, n);
        addInto(dNormed, part, n * dim);
        b.v().backward(a.attnNormed, dv, part, n);
        addInto(dNormed, part, n * dim);
        RmsNorm.backward(a.in, attnNorms[li].weight(), a.attnInv, dNormed, dx, attnNorms[li].grad(), n, dim);
    }

    // ------------------------------------------------------------------ helpers

    /** The embedded rows of tokens[0..n-2]. */
    float[] embed(int[] tokens) {
        int n = targets(tokens).length, dim = c.dim();
        float[] x = new float[n * dim];
        for (int t = 0; t < n; t++) embed.toFloat((long) tokens[t] * dim, x, t * dim, dim);
        return x;
    }

    /** tokens[1..n-1], after checking every id. */
    int[] targets(int[] tokens) {
        if (tokens.length < 2)
            throw new IllegalArgumentException("a training sequence needs at least 2 tokens, got " + tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= c.vocabSize())
                throw new IllegalArgumentException(
                        "token id " + tokens[i] + " at index " + i + " is outside the vocabulary of " + c.vocabSize());
        }
        int[] t = new int[tokens.length - 1];
        System.arraycopy(tokens, 1, t, 0, t.length);
        return t;
    }

    private static int[] positions(int n) {
        int[] p = new int[n];
        for (int t = 0; t < n; t++) p[t] = t;
        return p;
    }

    private static void addInto(float[] x, float[] y, int len) {
        for (int i = 0; i < len; i++) x[i] += y[i];
    }

    private static void addBias(float[] y, float[] bias, int rows) {
        int d = bias.length;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < d; i++) y[r * d + i] += bias[i];
        }
    }

    private void checkNormNames(TrainableNorms norms, int layers) {
        for (String name : norms.named()) {
            boolean known = name.equals(WeightNames.FINAL_NORM);
            for (int i = 0; i < layers && !known; i++)
                known = name.equals(WeightNames.attnNorm(i)) || name.equals(WeightNames.ffnNorm(i));
            if (!known)
                throw new IllegalArgumentException("no RMSNorm of this " + layers + "-layer model is named " + name);
        }
    }

    private Norm norm(Model model, String name, TrainableNorms norms) {
        float[] w = vector(model, name, c.dim());
        return norms.isTrainable(name) ? new Norm(w, new Parameter(name, w)) : new Norm(w, null);
    }

    /** A copy of a stored vector (a trainable norm's updates must not reach the model's tensor). */
    private static float[] vector(Model model, String name, int n) {
        Tensor t = model.tensor(name);
        if (t.numel() != n)
            throw new IllegalArgumentException(name + " has " + t.numel() + " values, the config needs " + n);
        return t.toFloatArray();
    }

    private static void add(List<Parameter> out, Set<Parameter> seen, Norm norm) {
        if (norm.parameter() != null) add(out, seen, List.of(norm.parameter()));
    }

    private static void add(List<Parameter> out, Set<Parameter> seen, List<Parameter> ps) {
        for (Parameter p : ps) {
            if (seen.add(p)) out.add(p);
        }
    }
}
