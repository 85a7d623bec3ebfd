package dev.llmcw.engine;

import dev.llmcw.tensor.FloatPair;
import dev.llmcw.tensor.FloatRows;
import dev.llmcw.tensor.IntegerActivations;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.MatmulKernels;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.tensor.TransposedWeights;
import dev.llmcw.tensor.VectorKernels;
import dev.llmcw.tensor.gemm.ActivationPanel;
import dev.llmcw.tensor.gemm.BlockedGemm;
import dev.llmcw.tensor.gemm.ParallelGemm;
import dev.llmcw.util.Parallel;

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

    public DenseLinear(Tensor weight) {
        this(weight, null);
    }

    public Tensor weight() {
        return weight;
    }

    @Override
    public int inFeatures() {
        return in;
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public long storageBytes() {
        return weight.byteSize() + (bias == null ? 0 : 4L * bias.length);
    }

    @Override
    public String kind() {
        return "dense " + weight.dtype();
    }

    /** Below this many tokens rows are plain dot products; from it on, the tiled matrix-matrix kernel. */
    static final int BATCH_TILED_FROM = 4;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        if (Numerics.llamaCpp() && LlamaCppMatmul.handles(weight)) {
            LlamaCppMatmul.forward(weight, bias, x, xOff, y, yOff, batch);
            return;
        }
        // the llama.cpp-compatible prefill (IntegerActivations.prefill) runs whole batches as integer dots
        IntegerActivations xq =
                batch < BATCH_TILED_FROM || IntegerActivations.prefill() ? quantizedInput(batch, x, xOff, this) : null;
        if (batch < BATCH_TILED_FROM || xq != null) {
            // rows in pairs (see Tensor.dotPair); small layers run serially
            Parallel.forRange(0, (out + 1) / 2, pairGrain(out, in), p -> {
                for (int t = 0; t < batch; t++) rowPair(p, x, xOff + t * in, xq, t, y, yOff + t * out, false);
            });
            return;
        }
        PrefillGemm route = PrefillGemm.current();
        if (route.blocked(batch, shortRows())) {
            forwardBlocked(ParallelGemm.packPanel(x, xOff, in, batch), y, yOff);
            return;
        }
        if (shortRows()) {
            TransposedWeights wt = transposed();
            FloatRows yr = new FloatRows(y, yOff, out);
            int step = MatmulKernels.transposedRowStep(), groups = wt.data().length / in / step;
            Parallel.forRange(
                    0,
                    groups,
                    Math.max(1, 8192 / (in * step)),
                    g -> MatmulKernels.matmulTransposed(wt, g * step, (g + 1) * step, x, xOff, batch, yr));
            return;
        }
        // Prefill: rows in blocks of ~64 KB of float weights, converted once per block and then reused
        // for every token; tokens in tiles of ~32 KB of activations so a tile stays in L1/L2 while the
        // block's row pairs sweep over it (see MatmulKernels.matmulTile).
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
                MatmulKernels.matmulTile(
                        new FloatRows(w, 0, in),
                        rows,
                        in,
                        new FloatRows(x, xOff + t0 * in, in),
                        tokens,
                        new FloatRows(y, yOff + t0 * out + r0, out),
                        bias,
                        r0);
            }
        });
    }

    /** Whether batches run {@link MatmulKernels#matmulTransposed} (short rows, a float copy of W kept). */
    private boolean shortRows() {
        return in <= TRANSPOSED_MAX_IN && (long) out * in <= TRANSPOSED_MAX_WEIGHTS;
    }

    /** y (from yOff, rows of out) = W·x + b for the panel's tokens by {@link ParallelGemm}. */
    void forwardBlocked(ActivationPanel panel, float[] y, int yOff) {
        ParallelGemm.multiply(weight::toFloat, out, bias, panel, y, yOff);
    }

    /**
     * Batches of layers with rows at most this wide run {@link MatmulKernels#matmulTransposed} over a float
     * copy of W transposed once (4·out·in bytes, at most 1 KB per output row): for short rows the lane
     * sums of the dot-product kernel cost as much as the products (stories260K's 64-wide layers).
     */
    static final int TRANSPOSED_MAX_IN = 256;
    /** ... and at most this many weights (32 MB of floats; e.g. a huge vocabulary over a small width stays tiled). */
    static final long TRANSPOSED_MAX_WEIGHTS = 8L << 20;

    private volatile TransposedWeights transposed;

    /** W as floats in {@link MatmulKernels#matmulTransposed}'s layout, zero-padded to whole row groups (built on first use; racing builds give equal arrays). */
    private TransposedWeights transposed() {
        TransposedWeights t = transposed;
        if (t == null) {
            int step = MatmulKernels.transposedRowStep(), rowsPad = (out + step - 1) / step * step;
            float[] wt = new float[rowsPad * in];
            float[] row = new float[in];
            for (int r = 0; r < out; r++) {
                weight.toFloat((long) r * in, row, 0, in);
                int base = r / step * in * step + r % step;
                for (int k = 0; k < in; k++) wt[base + k * step] = row[k];
            }
            transposed = t = new TransposedWeights(wt, out, in, bias);
        }
        return t;
    }

    /**
     * x's {@code batch} rows quantized to the activation forms that the integer dot products of
     * {@code layers} (dense, one input width) need (Q8 blocks of 32 for Q8_0/Q4_0, Q8_K for the K-quants)
     * when {@link IntegerActivations#useFor} the batch; null for the float path. Quantized once per
     * product, shared by every row.
     */
    static IntegerActivations quantizedInput(int batch, float[] x, int xOff, Linear... layers) {
        if (!IntegerActivations.useFor(batch)) return null;
        boolean q8 = false, q8k = false;
        for (Linear l : layers) {
            if (l instanceof DenseLinear d) {
                q8 |= d.weight.hasIntegerDot();
                q8k |= d.weight.hasQ8KDot();
            }
        }
        return q8 || q8k ? IntegerActivations.quantize(x, xOff, layers[0].inFeatures(), batch, q8, q8k) : null;
    }

    /** True when {@code layers} are all dense, share one input width and {@code batch} is a decode-sized batch. */
    static boolean fusable(int batch, Linear... layers) {
        if (batch >= BATCH_TILED_FROM) return false;
        for (Linear l : layers) {
            if (!(l instanceof DenseLinear d) || l.inFeatures() != layers[0].inFeatures()) return false;
            // under llama.cpp's numerics these go through forward's emulation, one product at a time
            if (Numerics.llamaCpp() && LlamaCppMatmul.handles(d.weight)) return false;
        }
        return true;
    }

    /** True when every layer is dense (one input width) and takes {@link BlockedGemm} for this batch. */
    private static boolean allBlocked(int batch, Linear... layers) {
        PrefillGemm route = PrefillGemm.current();
        for (Linear l : layers) {
            if (!(l instanceof DenseLinear d)
                    || l.inFeatures() != layers[0].inFeatures()
                    || !route.blocked(batch, d.shortRows())
                    || IntegerActivations.prefill()) return false;
        }
        return true;
    }

    /** Rows per chunk of a decode region over {@code rows} rows of width {@code in}: ≥ 16K weights, ≤ 8 chunks per thread. */
    private static int decodeGrain(int rows, int in) {
        return Math.max(Math.max(1, 16384 / in), rows / (Parallel.threads() * 8));
    }

    /** The same in row pairs. */
    private static int pairGrain(int rows, int in) {
        return Math.max(1, decodeGrain(rows, in) / 2);
    }

    /**
     * Rows per half of the blocks in which {@link #rowPair} pairs rows: pair p of a block of 2·D rows
     * is (row k, row k + D). Rows of one pair are read in one loop; when they are neighbours the two
     * interleaved streams 1 row apart defeat the hardware prefetcher on the development machine (BF16,
     * 576-wide rows: 5.7 GB/s on one core, 9.8 GB/s on two), rows D ≥ 8 apart stream like two
     * independent sequences (7.9–8.4 and 13–15 GB/s; measured with a standalone kernel benchmark).
     */
    static final int PAIR_DISTANCE = 16;

    /** First row of pair p: blocks of 2·D rows, pair k of a block takes rows k and k + half. */
    static int pairFirstRow(int p) {
        int block = p / PAIR_DISTANCE;
        return 2 * PAIR_DISTANCE * block + p % PAIR_DISTANCE;
    }

    /** Second row of pair p (see {@link #pairFirstRow}), or -1 when the pair has one row (odd tail). */
    static int pairSecondRow(int p, int out) {
        int base = 2 * PAIR_DISTANCE * (p / PAIR_DISTANCE);
        int half = Math.min(PAIR_DISTANCE, (out - base + 1) / 2);
        int second = base + p % PAIR_DISTANCE + half;
        return second < out ? second : -1;
    }

    /**
     * Rows {@link #pairFirstRow} and {@link #pairSecondRow} of pair p (pairs 0 .. ⌈out/2⌉ cover every
     * row once) of W·x for one token: y[yBase + o] = w_o·x + b_o, or y[yBase + o] += w_o·x + b_o when
     * {@code add}. Both rows through {@link Tensor#dotPair}, which is bit-identical to one
     * {@link Tensor#dot} per row, so the pairing does not change any result.
     */
    private void rowPair(int p, float[] x, int xOff, IntegerActivations xq, int t, float[] y, int yBase, boolean add) {
        int o = pairFirstRow(p), o1 = pairSecondRow(p, out);
        long rowOff = (long) o * in;
        float b0 = bias == null ? 0f : bias[o];
        boolean integer = xq != null && xq.covers(weight);
        if (o1 >= 0) {
            float b1 = bias == null ? 0f : bias[o1];
            long pair = integer
                    ? xq.dotPair(weight, rowOff, weight, (long) o1 * in, t)
                    : weight.dotPair(rowOff, weight, (long) o1 * in, x, xOff, in);
            float v0 = FloatPair.first(pair) + b0, v1 = FloatPair.second(pair) + b1;
            if (add) {
                y[yBase + o] += v0;
                y[yBase + o1] += v1;
            } else {
                y[yBase + o] = v0;
                y[yBase + o1] = v1;
            }
        } else {
            float v0 = (integer ? xq.dot(weight, rowOff, t) : weight.dot(rowOff, x, xOff, in)) + b0;
            if (add) y[yBase + o] += v0;
            else y[yBase + o] = v0;
        }
    }

    /**
     * ys[i] = layers[i]·x for rows [from, from + batch) of layers that share their input (q/k/v, gate/up).
     * For a few tokens of dense layers this is one parallel region over the rows of all of them instead of
     * one per layer: in decode, where each product is small, the fork/join cost per region is a visible
     * share of a token. Other layers (compressed replacements) and prefill batches run layer by layer.
     */
    public static void forwardShared(Linear[] layers, float[] x, float[][] ys, int from, int batch) {
        int in = layers[0].inFeatures();
        if (allBlocked(batch, layers)) {
            // one panel for the layers that share the input (q/k/v, gate/up)
            ActivationPanel panel = ParallelGemm.packPanel(x, from * in, in, batch);
            for (int i = 0; i < layers.length; i++)
                ((DenseLinear) layers[i]).forwardBlocked(panel, ys[i], from * layers[i].outFeatures());
            return;
        }
        if (!fusable(batch, layers)) {
            for (int i = 0; i < layers.length; i++)
                layers[i].forward(x, from * in, ys[i], from * layers[i].outFeatures(), batch);
            return;
        }
        int[] start = new int[layers.length + 1]; // in row pairs, each layer's pairs after the previous one's
        for (int i = 0; i < layers.length; i++) start[i + 1] = start[i] + (layers[i].outFeatures() + 1) / 2;
        int total = start[layers.length];
        IntegerActivations xq = quantizedInput(batch, x, from * in, layers);
        Parallel.forRange(0, total, pairGrain(2 * total, in), r -> {
            int i = 0;
            while (r >= start[i + 1]) i++;
            DenseLinear l = (DenseLinear) layers[i];
            for (int t = from; t < from + batch; t++)
                l.rowPair(r - start[i], x, t * in, xq, t - from, ys[i], t * l.out, false);
        });
    }

    /**
     * The SwiGLU unit of a few tokens in one region: g = silu(gate·x) * (up·x), row o of both layers
     * by the same thread, so the activation needs no region of its own. Same arithmetic as
     * {@link #forwardShared} followed by {@link VectorKernels#swiglu}; the up products are not stored.
     * Rows [from, from + batch).
     *
     * @return false (nothing done) unless both layers are dense and the batch is decode-sized
     */
    public static boolean forwardSwiGlu(Linear gate, Linear up, float[] x, float[] g, int from, int batch) {
        // under llama.cpp's numerics the activation is LlamaCppRowOps.swiglu, after the products
        if (Numerics.llamaCpp() || !fusable(batch, gate, up) || gate.outFeatures() != up.outFeatures()) return false;
        DenseLinear lg = (DenseLinear) gate, lu = (DenseLinear) up;
        int in = lg.in, hidden = lg.out;
        // integer only when both rows are (a pair keeps one arithmetic for gate and up)
        IntegerActivations q = IntegerActivations.supports(lg.weight) && IntegerActivations.supports(lu.weight)
                ? quantizedInput(batch, x, from * in, gate, up)
                : null;
        IntegerActivations xq = q != null && q.covers(lg.weight) && q.covers(lu.weight) ? q : null;
        Parallel.forRange(0, hidden, pairGrain(2 * hidden, in), o -> {
            long rowOff = (long) o * in;
            float bg = lg.bias == null ? 0f : lg.bias[o], bu = lu.bias == null ? 0f : lu.bias[o];
            for (int t = from; t < from + batch; t++) {
                long pair = xq != null // gate row o, up row o
                        ? xq.dotPair(lg.weight, rowOff, lu.weight, rowOff, t - from)
                        : lg.weight.dotPair(rowOff, lu.weight, rowOff, x, t * in, in);
                g[t * hidden + o] = VectorKernels.swiglu(FloatPair.first(pair) + bg, FloatPair.second(pair) + bu);
            }
        });
        return true;
    }

    /**
     * acc += layer·x for a few tokens (the residual add of the attention output and MLP down
     * projections) inside the product's own region; the sum per element is the same
     * {@code acc[i] + (w·x + b)} as a separate product followed by an add. Rows [from, from + batch).
     *
     * @return false (nothing done) unless the layer is dense and the batch is decode-sized
     */
    public static boolean forwardAdd(Linear layer, float[] x, float[] acc, int from, int batch) {
        if (!fusable(batch, layer)) return false;
        DenseLinear l = (DenseLinear) layer;
        int in = l.in, out = l.out;
        IntegerActivations xq = quantizedInput(batch, x, from * in, layer);
        Parallel.forRange(0, (out + 1) / 2, pairGrain(out, in), p -> {
            for (int t = from; t < from + batch; t++) l.rowPair(p, x, t * in, xq, t - from, acc, t * out, true);
        });
        return true;
    }
}
