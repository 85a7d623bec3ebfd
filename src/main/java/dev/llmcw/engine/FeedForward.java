package dev.llmcw.engine;

import dev.llmcw.model.ModelConfig;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.VectorKernels;
import dev.llmcw.util.Parallel;

/** A layer's SwiGLU MLP with its norm and residual add: x += down(silu(gate(norm x)) · up(norm x)). */
final class FeedForward {
    private FeedForward() {}

    /** The MLP on rows [from, n) of {@code a.x}, in place (rows before from are left as they were). */
    static void forward(ModelConfig c, LlamaWeights.Mlp mlp, Activations a, int n, int from) {
        final int dim = c.dim(), hidden = c.hiddenDim(), m = n - from;
        final float[] x = a.x, xb = a.xb, proj = a.proj, gate = a.gate, up = a.up;
        RowOps.rmsNorm(x, mlp.norm(), xb, from, n, dim, c.rmsEps());
        if (!DenseLinear.forwardSwiGlu(mlp.gate(), mlp.up(), xb, gate, from, m)) {
            DenseLinear.forwardShared(new Linear[] {mlp.gate(), mlp.up()}, xb, new float[][] {gate, up}, from, m);
            if (Numerics.llamaCpp()) {
                LlamaCppRowOps.swiglu(gate, up, from, n, hidden);
            } else {
                // elementwise over whole blocks of rows (one call per row left a scalar tail in every row:
                // 172 = 21·8 + 4 on stories260K, ~1 % of its scoring)
                int rowsPerBlock = Math.max(1, 16384 / hidden), blocks = (m + rowsPerBlock - 1) / rowsPerBlock;
                Parallel.forRange(
                        0,
                        blocks,
                        1,
                        b -> VectorKernels.swiglu(
                                gate,
                                up,
                                (from + b * rowsPerBlock) * hidden,
                                Math.min(n, from + (b + 1) * rowsPerBlock) * hidden));
            }
        }
        if (!DenseLinear.forwardAdd(mlp.down(), gate, x, from, m)) {
            mlp.down().forward(gate, from * hidden, proj, from * dim, m);
            RowOps.addInto(x, proj, from * dim, n * dim);
        }
    }
}
