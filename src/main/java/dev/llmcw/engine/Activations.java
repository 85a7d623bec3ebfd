package dev.llmcw.engine;

import dev.llmcw.model.ModelConfig;

/** The activations of one forward pass, reused by every layer. */
final class Activations {
    final float[] x, xb, q, k, v, att, proj, gate, up;
    final int rows;

    Activations(ModelConfig c, int n) {
        rows = n;
        x = new float[n * c.dim()];
        xb = new float[n * Math.max(c.dim(), c.qDim())];
        q = new float[n * c.qDim()];
        k = new float[n * c.kvDim()];
        v = new float[n * c.kvDim()];
        att = new float[n * c.qDim()];
        proj = new float[n * c.dim()];
        gate = new float[n * c.hiddenDim()];
        up = new float[n * c.hiddenDim()];
    }

    long floats() {
        long f = 0;
        for (float[] a : new float[][] {x, xb, q, k, v, att, proj, gate, up}) f += a.length;
        return f;
    }
}
