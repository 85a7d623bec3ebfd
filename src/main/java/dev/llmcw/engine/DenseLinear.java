package dev.llmcw.engine;

import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;

/** y = W·x (+ bias) over a stored weight matrix W[out][in] of any storage type; rows in parallel. */
public final class DenseLinear implements Linear {
    private final Tensor weight;
    private final float[] bias;
    private final int in, out;

    public DenseLinear(Tensor weight, float[] bias) {
        if (weight.rank() != 2) throw new IllegalArgumentException("linear weight must be 2-D, got " + weight);
        this.weight = weight;
        this.bias = bias;
        this.out = weight.rows();
        this.in = weight.cols();
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException("bias length " + bias.length + " != out features " + out);
        }
    }

    public DenseLinear(Tensor weight) { this(weight, null); }

    public Tensor weight() { return weight; }

    @Override public int inFeatures() { return in; }
    @Override public int outFeatures() { return out; }
    @Override public long storageBytes() { return weight.byteSize() + (bias == null ? 0 : 4L * bias.length); }
    @Override public String kind() { return "dense " + weight.dtype(); }

    /** Below this many tokens rows are plain dot products; from it on, the tiled matrix-matrix kernel. */
    static final int BATCH_TILED_FROM = 4;
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        if (batch < BATCH_TILED_FROM) {
            int grain = Math.max(Math.max(1, 16384 / in), out / (Parallel.threads() * 8)); // small layers run serially
            Parallel.forRange(0, out, grain, o -> {
                long rowOff = (long) o * in;
                float b = bias == null ? 0f : bias[o];
                for (int t = 0; t < batch; t++) {
                    y[yOff + t * out + o] = weight.dot(rowOff, x, xOff + t * in, in) + b;
                }
            });
            return;
        }
        // Prefill: rows in blocks of ~64 KB of float weights, converted once per block and then reused
        // for every token; tokens in tiles of ~32 KB of activations so a tile stays in L1/L2 while the
        // block's row pairs sweep over it (see VectorKernels.matmulTile).
        int rowBlock = Math.max(2, Math.min(64, (16384 / in) & ~1));
        int tokenTile = Math.max(4, Math.min(64, (8192 / in) & ~3));
        int blocks = (out + rowBlock - 1) / rowBlock;
        Parallel.forRange(0, blocks, 1, blk -> {
            int r0 = blk * rowBlock;
            int rows = Math.min(rowBlock, out - r0);
            float[] w = SCRATCH.get();
            if (w.length < rows * in) {
                w = new float[rowBlock * in];
                SCRATCH.set(w);
            }
            weight.toFloat((long) r0 * in, w, 0, rows * in);
            for (int t0 = 0; t0 < batch; t0 += tokenTile) {
                int tokens = Math.min(tokenTile, batch - t0);
                dev.llmcw.tensor.VectorKernels.matmulTile(w, 0, rows, in, x, xOff + t0 * in, tokens,
                        y, yOff + t0 * out + r0, out, bias, r0);
            }
        });
    }

    /**
     * ys[i] = layers[i]·x for layers that share their input (q/k/v, gate/up). For a few tokens of dense
     * layers this is one parallel region over the rows of all of them instead of one per layer: in
     * decode, where each product is small, the fork/join cost per region is a visible share of a token.
     * Other layers (compressed replacements) and prefill batches run layer by layer.
     */
    public static void forwardShared(Linear[] layers, float[] x, float[][] ys, int batch) {
        boolean dense = batch < BATCH_TILED_FROM;
        for (Linear l : layers) dense &= l instanceof DenseLinear && l.inFeatures() == layers[0].inFeatures();
        if (!dense) {
            for (int i = 0; i < layers.length; i++) layers[i].forward(x, 0, ys[i], 0, batch);
            return;
        }
        int[] start = new int[layers.length + 1];
        for (int i = 0; i < layers.length; i++) start[i + 1] = start[i] + layers[i].outFeatures();
        int in = layers[0].inFeatures(), total = start[layers.length];
        int grain = Math.max(Math.max(1, 16384 / in), total / (Parallel.threads() * 8));
        Parallel.forRange(0, total, grain, r -> {
            int i = 0;
            while (r >= start[i + 1]) i++;
            DenseLinear l = (DenseLinear) layers[i];
            int o = r - start[i];
            long rowOff = (long) o * in;
            float b = l.bias == null ? 0f : l.bias[o];
            for (int t = 0; t < batch; t++) ys[i][t * l.out + o] = l.weight.dot(rowOff, x, t * in, in) + b;
        });
    }
}
