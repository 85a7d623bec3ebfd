package dev.llmcw.engine.train;

import dev.llmcw.model.ModelConfig;

/**
 * What one block's forward pass keeps for its backward pass, for n rows: per row 4·dim + 2·qDim +
 * 2·kvDim + 3·hidden + 2 floats, plus the attention probabilities, heads·n² floats.
 */
final class LayerActivations {
    /** The block's input (the residual stream), its attention-norm output and the rows' 1/rms. */
    final float[] in, attnNormed, attnInv;
    /** Rotated queries and keys, values, the attention output (the o projection's input), probabilities. */
    final float[] q, k, v, att, probs;
    /** The residual stream after attention, its MLP-norm output and 1/rms. */
    final float[] mid, mlpNormed, mlpInv;
    /** The MLP's gate and up projections and silu(gate)·up (the down projection's input). */
    final float[] gate, up, hidden;

    LayerActivations(ModelConfig c, int n) {
        int dim = c.dim();
        in = new float[n * dim];
        attnNormed = new float[n * dim];
        attnInv = new float[n];
        q = new float[n * c.qDim()];
        k = new float[n * c.kvDim()];
        v = new float[n * c.kvDim()];
        att = new float[n * c.qDim()];
        probs = new float[Math.multiplyExact(c.nHeads() * n, n)];
        mid = new float[n * dim];
        mlpNormed = new float[n * dim];
        mlpInv = new float[n];
        gate = new float[n * c.hiddenDim()];
        up = new float[n * c.hiddenDim()];
        hidden = new float[n * c.hiddenDim()];
    }
}
