package dev.llmcw.tensor.gemm;

import dev.llmcw.tensor.FloatRows;
import dev.llmcw.util.Parallel;

/**
 * A whole batched product y = W·x (+ b) by {@link BlockedGemm} on the engine's threads: the activation panel
 * packed once (token groups in parallel, into a buffer the calling thread keeps), then blocks of weight rows
 * in parallel. Dense layers and layers that decode their own packed form (group-quantized codes) share it.
 */
public final class ParallelGemm {
    private ParallelGemm() {}

    private static final ThreadLocal<BlockedGemm.Scratch> SCRATCH = ThreadLocal.withInitial(BlockedGemm.Scratch::new);

    /** The calling thread's panel buffer: a product's panel lives until the next product this thread starts. */
    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[0]);

    /** x's batch rows of n floats packed for {@link BlockedGemm}, the token groups split over the threads. */
    public static ActivationPanel packPanel(float[] x, int xOff, int n, int batch) {
        ActivationPanel panel = new ActivationPanel(n, batch, PANEL.get());
        PANEL.set(panel.data());
        Parallel.forRange(0, panel.groups(), 1, g -> panel.packGroup(x, xOff, g));
        return panel;
    }

    /** y (from yOff, rows of {@code out}) = W·x + b for the panel's tokens, blocks of rows in parallel; bias may be null. */
    public static void multiply(
            BlockedGemm.WeightRows weight, int out, float[] bias, ActivationPanel panel, float[] y, int yOff) {
        // blocks of up to 48 rows, at least two per thread so a descheduled thread does not hold up the rest
        int perThread = out / (2 * Parallel.threads()) / BlockedGemm.ROWS * BlockedGemm.ROWS;
        int rows = Math.max(BlockedGemm.ROWS, Math.min(BlockedGemm.MAX_BLOCK_ROWS, perThread));
        int blocks = (out + rows - 1) / rows;
        FloatRows yr = new FloatRows(y, yOff, out);
        Parallel.forRange(0, blocks, 1, blk -> {
            int r0 = blk * rows;
            BlockedGemm.multiply(weight, bias, r0, Math.min(rows, out - r0), panel, yr, SCRATCH.get());
        });
    }
}
