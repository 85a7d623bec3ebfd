package dev.llmcw.engine;

import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.RopeScaling;
import dev.llmcw.model.WeightNames;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.tensor.VectorExp;
import dev.llmcw.tensor.VectorKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Forward pass of a Llama-family decoder (Llama 2/3, SmolLM, Mistral without sliding window, Qwen2):
 * RMSNorm, rotary embeddings in either pairing layout with optional llama3 frequency scaling, grouped
 * query attention over a {@link KvCache}, SwiGLU MLP, optional q/k/v biases and a tied or separate
 * classifier. Any number of tokens go through each layer together, so a prompt is one matrix–matrix
 * product per projection; logits are computed only for the positions the caller asks for.
 *
 * <p>All projections go through {@link Linear}: a weight name present in {@link Model#linears()} is used
 * as is (that is how compressed models run), anything else becomes a {@link DenseLinear} over the
 * stored tensor. Biases are added by the engine, never by the linear layer, so a replacement layer
 * only has to reproduce W·x.
 */
public final class LlamaEngine implements Scorer {
    /**
     * The float species, always read from this constant and never from a local: in an on-stack-replacement
     * compilation a local's value comes from the interpreter frame, is not a compile-time constant, and
     * the Vector API then runs its Java fallback (measured: most of stories260K's attention time).
     */
    private static final VectorSpecies<Float> F = VectorKernels.F;

    /** Its lanes, a constant: loads indexed by a loop counter times a constant lose their bounds checks in C2. */
    private static final int L = F.length();

    private final ModelConfig c;
    private final Tensor embed;
    private final Layer[] layers;
    private final float[] finalNorm;
    private final Linear lmHead;
    private final double[] invFreq;
    private final int maxLength;

    private record Layer(float[] attnNorm, float[] ffnNorm, Linear q, Linear k, Linear v, Linear o,
                         Linear gate, Linear up, Linear down, float[] qBias, float[] kBias, float[] vBias) {}

    public LlamaEngine(Model model) {
        this(model, model.config().maxSeqLen());
    }

    /** @param maxLength longest input the scorer attends over (lm-eval's max_length) */
    public LlamaEngine(Model model, int maxLength) {
        this.c = model.config();
        if (maxLength <= 0) throw new IllegalArgumentException("max length must be positive, got " + maxLength);
        this.maxLength = maxLength;
        this.embed = model.tensor(WeightNames.EMBED);
        checkShape(embed, c.vocabSize(), c.dim(), WeightNames.EMBED);
        this.layers = new Layer[c.nLayers()];
        for (int i = 0; i < c.nLayers(); i++) {
            layers[i] = new Layer(
                    vector(model, WeightNames.attnNorm(i), c.dim()), vector(model, WeightNames.ffnNorm(i), c.dim()),
                    linear(model, WeightNames.q(i), c.qDim(), c.dim()), linear(model, WeightNames.k(i), c.kvDim(), c.dim()),
                    linear(model, WeightNames.v(i), c.kvDim(), c.dim()), linear(model, WeightNames.o(i), c.dim(), c.qDim()),
                    linear(model, WeightNames.gate(i), c.hiddenDim(), c.dim()), linear(model, WeightNames.up(i), c.hiddenDim(), c.dim()),
                    linear(model, WeightNames.down(i), c.dim(), c.hiddenDim()),
                    c.attentionBias() ? vector(model, WeightNames.qBias(i), c.qDim()) : null,
                    c.attentionBias() ? vector(model, WeightNames.kBias(i), c.kvDim()) : null,
                    c.attentionBias() ? vector(model, WeightNames.vBias(i), c.kvDim()) : null);
        }
        this.finalNorm = vector(model, WeightNames.FINAL_NORM, c.dim());
        if (model.linears().containsKey(WeightNames.LM_HEAD)) {
            this.lmHead = linear(model, WeightNames.LM_HEAD, c.vocabSize(), c.dim());
        } else if (c.tiedEmbeddings()) {
            this.lmHead = new DenseLinear(embed);
        } else {
            this.lmHead = linear(model, WeightNames.LM_HEAD, c.vocabSize(), c.dim());
        }
        this.invFreq = inverseFrequencies(c.headDim(), c.ropeTheta(), c.ropeScaling());
    }

    public ModelConfig config() { return c; }

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
            throw new IllegalArgumentException(name + " has shape " + t + ", the config needs [" + rows + ", " + cols + "]");
        }
    }

    private static float[] vector(Model m, String name, int n) {
        Tensor t = m.tensor(name);
        if (t.numel() != n) throw new IllegalArgumentException(name + " has " + t.numel() + " values, the config needs " + n);
        return t.toFloatArray();
    }

    /**
     * Rotary inverse frequencies theta^(-2i/headDim), rescaled for llama3 exactly as Hugging Face's
     * _compute_llama3_parameters: long wavelengths divided by the factor, short ones kept, and a
     * smooth interpolation in between.
     */
    static double[] inverseFrequencies(int headDim, double theta, RopeScaling s) {
        int half = headDim / 2;
        double[] f = new double[half];
        for (int i = 0; i < half; i++) f[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
        if (s == null) return f;
        double oldLen = s.originalMaxPositionEmbeddings();
        double lowWavelen = oldLen / s.lowFreqFactor();
        double highWavelen = oldLen / s.highFreqFactor();
        for (int i = 0; i < half; i++) {
            double wavelen = 2 * Math.PI / f[i];
            double scaled = wavelen > lowWavelen ? f[i] / s.factor() : f[i];
            boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
            if (medium) {
                double smooth = (oldLen / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                scaled = (1 - smooth) * scaled / s.factor() + smooth * scaled;
            }
            f[i] = scaled;
        }
        return f;
    }

    /** A fresh, empty cache sized for {@code expectedTokens} positions (it grows if more come). */
    public KvCache newCache(int expectedTokens) {
        return new KvCache(c.nLayers(), c.kvDim(), Math.max(16, expectedTokens));
    }

    public KvCache newCache() { return newCache(64); }

    /**
     * Runs {@code n} tokens (tokens[off..off+n)) at positions cache.length().. and appends their keys
     * and values to the cache. Rows before logitsFrom (but the last 4) get only their keys and values from
     * the last layer (see {@link #forwardEveryLayer}).
     *
     * @param logitsFrom first token index within this chunk whose next-token logits are wanted; n for none
     * @return logits of tokens [logitsFrom, n), row-major [(n - logitsFrom) * vocab]
     */
    public float[] forward(KvCache cache, int[] tokens, int off, int n, int logitsFrom) {
        return forward(cache, tokens, off, n, logitsFrom, null, false);
    }

    /**
     * Every layer over every one of the n tokens, no logits: for callers that observe the layers' inputs
     * (calibration wraps the projections), which {@link #forward}'s shortened last layer would starve.
     */
    public void forwardEveryLayer(KvCache cache, int[] tokens, int off, int n) {
        forward(cache, tokens, off, n, n, null, true);
    }

    /**
     * As {@link #forward(KvCache, int[], int, int, int)}; with {@code seg} non-null the rows are packed
     * independent sequences sharing a cached prefix (see {@link Segments}): each row gets its segment's
     * position and attends only to its prefix and its own segment.
     */
    private float[] forward(KvCache cache, int[] tokens, int off, int n, int logitsFrom, Segments seg, boolean everyLayer) {
        if (n <= 0) throw new IllegalArgumentException("forward needs at least one token, got " + n);
        if (logitsFrom < 0 || logitsFrom > n) throw new IllegalArgumentException("logitsFrom " + logitsFrom + " outside [0, " + n + "]");
        final int dim = c.dim();
        final int start = cache.length();
        cache.ensureCapacity(start + n);
        Activations a = activations(n);
        embed(tokens, off, n, a.x);
        int[] pos = positions(n, start, seg);
        RopeTable rt = ropeTable(pos);
        // the rows through the classifier: from logitsFrom, but at least BATCH_TILED_FROM of them (fewer would
        // take the decode kernels, whose sums are ordered differently, and a row's logits would depend on how
        // many were asked for); the last layer's rows before them are wanted for their keys and values only
        int from = logitsFrom == n ? n : Math.min(logitsFrom, Math.max(0, n - DenseLinear.BATCH_TILED_FROM));
        // one call per layer, no loop over tokens here: a forward pass of hundreds of tokens ran long enough
        // in the interpreter for C2 to compile this method twice on stack replacement (at two loops) and once
        // normally, each time with everything inlined (1.9 CPU-s of C2 in a cold PIQA run on stories260K)
        for (int li = 0; li < layers.length; li++) layer(li, a, n, li == layers.length - 1 && !everyLayer ? from : 0, start, seg, pos, rt, cache);
        cache.setLength(start + n);
        int m = n - from, v = c.vocabSize();
        if (m == 0) return new float[0];
        float[] last = new float[m * dim];
        float[] lastIn = java.util.Arrays.copyOfRange(a.x, from * dim, n * dim);
        rmsNorm(lastIn, finalNorm, last, 0, m, dim);
        float[] logits = new float[Math.multiplyExact(m, v)];
        lmHead.forward(last, 0, logits, 0, m);
        return from == logitsFrom ? logits : java.util.Arrays.copyOfRange(logits, (logitsFrom - from) * v, m * v);
    }

    /** Up to this many floats of activations are kept per thread between forward passes (16 MB). */
    private static final long KEPT_ACTIVATION_FLOATS = 4L << 20;

    /** Per thread, the last small enough {@link Activations}: scoring runs thousands of short passes. */
    private final ThreadLocal<Activations> keptActivations = new ThreadLocal<>();

    /**
     * Activations for n rows: the thread's kept ones when they have room (every array is written before it
     * is read in a pass, so old contents do not matter), else new ones, kept when small enough: allocating
     * and zeroing ~0.4 MB per PIQA item was ~1 % of stories260K's scoring.
     */
    private Activations activations(int n) {
        Activations a = keptActivations.get();
        if (a != null && a.rows >= n) return a;
        a = new Activations(c, n);
        if (a.floats() <= KEPT_ACTIVATION_FLOATS) keptActivations.set(a);
        return a;
    }

    /** The activations of one forward pass, reused by every layer. */
    private static final class Activations {
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
            for (float[] a : new float[][]{x, xb, q, k, v, att, proj, gate, up}) f += a.length;
            return f;
        }
    }

    /** x[t] = the embedding of tokens[off + t], for t < n. */
    private void embed(int[] tokens, int off, int n, float[] x) {
        int dim = c.dim();
        for (int t = 0; t < n; t++) {
            int tok = tokens[off + t];
            if (tok < 0 || tok >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + tok + " at index " + (off + t) + " is outside the vocabulary of " + c.vocabSize());
            }
            embed.toFloat((long) tok * dim, x, t * dim, dim);
        }
    }

    /**
     * Layer li on the n rows of {@code a.x} (in place), their keys and values appended to the cache at start.
     * Only rows from.. are wanted out of it (the last layer, whose rows before the first one with wanted
     * logits feed nothing but their keys and values): the other rows get keys and values only, and their
     * rows of {@code a.x} are left as they were. In scoring, the context's rows are a quarter of PIQA's on
     * stories260K, and this skips most of their last layer.
     */
    private void layer(int li, Activations a, int n, int from, int start, Segments seg, int[] pos, RopeTable rt, KvCache cache) {
        final int dim = c.dim(), kvDim = c.kvDim(), hidden = c.hiddenDim(), m = n - from;
        final float[] x = a.x, xb = a.xb, q = a.q, k = a.k, v = a.v, att = a.att, proj = a.proj, gate = a.gate, up = a.up;
        Layer L = layers[li];
        rmsNorm(x, L.attnNorm, xb, 0, n, dim);
        if (from == 0) {
            DenseLinear.forwardShared(new Linear[]{L.q, L.k, L.v}, xb, new float[][]{q, k, v}, 0, n);
        } else {
            DenseLinear.forwardShared(new Linear[]{L.k, L.v}, xb, new float[][]{k, v}, 0, n);
            if (m > 0) L.q.forward(xb, from * dim, q, from * c.qDim(), m);
        }
        if (L.qBias != null) {
            addBias(q, L.qBias, n);
            addBias(k, L.kBias, n);
            addBias(v, L.vBias, n);
        }
        rope(q, n, c.nHeads(), pos, rt);
        rope(k, n, c.nKvHeads(), pos, rt);
        float[] kc = cache.keys(li), vc = cache.values(li);
        System.arraycopy(k, 0, kc, start * kvDim, n * kvDim);
        System.arraycopy(v, 0, vc, start * kvDim, n * kvDim);
        if (m == 0) return;
        if (seg != null || n >= 4 && c.headDim() <= SMALL_HEAD) {
            segmentAttention(q, kc, vc, att, n, from, start, seg != null ? seg : Segments.causal(start, n));
        } else {
            attention(q, kc, vc, att, n, from, start);
        }
        // decode with dense layers: residual adds and the SwiGLU activation happen inside the
        // projections' own parallel regions (same arithmetic, fewer serial steps between regions)
        if (!DenseLinear.forwardAdd(L.o, att, x, from, m)) {
            L.o.forward(att, from * c.qDim(), proj, from * dim, m);
            addInto(x, proj, from * dim, n * dim);
        }

        rmsNorm(x, L.ffnNorm, xb, from, n, dim);
        if (!DenseLinear.forwardSwiGlu(L.gate, L.up, xb, gate, from, m)) {
            DenseLinear.forwardShared(new Linear[]{L.gate, L.up}, xb, new float[][]{gate, up}, from, m);
            // elementwise over whole blocks of rows (one call per row left a scalar tail in every row:
            // 172 = 21·8 + 4 on stories260K, ~1 % of its scoring)
            int rowsPerBlock = Math.max(1, 16384 / hidden), blocks = (m + rowsPerBlock - 1) / rowsPerBlock;
            Parallel.forRange(0, blocks, 1, b ->
                    VectorKernels.swiglu(gate, up, (from + b * rowsPerBlock) * hidden, Math.min(n, from + (b + 1) * rowsPerBlock) * hidden));
        }
        if (!DenseLinear.forwardAdd(L.down, gate, x, from, m)) {
            L.down.forward(gate, from * hidden, proj, from * dim, m);
            addInto(x, proj, from * dim, n * dim);
        }
    }

    /** x[i] += y[i] for i in [from, to); a method of its own so that {@link #layer} has no hot loop (see {@link #forward}). */
    private static void addInto(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) x[i] += y[i];
    }

    /**
     * out = x / sqrt(mean(x²) + eps) * weight, per row of {@code dim} for rows [from, to); mean accumulated in double, in four
     * interleaved sums (one sum waits an addition's latency per element: ~3 % of stories260K's scoring).
     */
    private void rmsNorm(float[] x, float[] weight, float[] out, int from, int to, int dim) {
        for (int r = from; r < to; r++) {
            int o = r * dim, i = 0;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (; i + 4 <= dim; i += 4) {
                s0 += (double) x[o + i] * x[o + i];
                s1 += (double) x[o + i + 1] * x[o + i + 1];
                s2 += (double) x[o + i + 2] * x[o + i + 2];
                s3 += (double) x[o + i + 3] * x[o + i + 3];
            }
            for (; i < dim; i++) s0 += (double) x[o + i] * x[o + i];
            double ss = (s0 + s1) + (s2 + s3);
            float inv = (float) (1.0 / Math.sqrt(ss / dim + c.rmsEps()));
            // a vector at a time (C2 left this loop scalar); (x·inv)·w is the scalar expression's product
            for (i = 0; i + L <= dim; i += L) {
                FloatVector.fromArray(F, x, o + i).mul(inv).mul(FloatVector.fromArray(F, weight, i)).intoArray(out, o + i);
            }
            for (; i < dim; i++) out[o + i] = weight[i] * (x[o + i] * inv);
        }
    }

    private static void addBias(float[] y, float[] bias, int rows) {
        int d = bias.length;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < d; i++) y[r * d + i] += bias[i];
        }
    }

    /**
     * Rotation factors per position for {@link #rope}, [p·hd + j] for head dimension j: cos θ of the pair j
     * belongs to, and −sin θ on the pair's first element, +sin θ on its second. A rotated element is then
     * x_j·cos + x_partner·sin, partner being the other element of its pair (j ^ 1 interleaved, j ± hd/2
     * rotate-half): the textbook x0·cos − x1·sin and x0·sin + x1·cos bit for bit (a + (−b) is a − b, and the
     * sums commute), with no branch on the element's place in its pair.
     */
    record RopeTable(float[] cos, float[] sin, int positions) {
        /** {@code old}'s factors extended to positions [old.positions, positions). */
        static RopeTable grow(RopeTable old, double[] invFreq, int hd, boolean interleaved, int positions) {
            int half = hd / 2;
            float[] cos = java.util.Arrays.copyOf(old.cos(), positions * hd), sin = java.util.Arrays.copyOf(old.sin(), positions * hd);
            for (int p = old.positions(); p < positions; p++) {
                for (int i = 0; i < half; i++) {
                    double ang = p * invFreq[i];
                    float cv = (float) Math.cos(ang), sv = (float) Math.sin(ang);
                    int j0 = p * hd + (interleaved ? 2 * i : i), j1 = interleaved ? j0 + 1 : j0 + half;
                    cos[j0] = cv;
                    cos[j1] = cv;
                    sin[j0] = -sv;
                    sin[j1] = sv;
                }
            }
            return new RopeTable(cos, sin, positions);
        }
    }

    static final RopeTable NO_ROPE = new RopeTable(new float[0], new float[0], 0);

    /** Grown on demand, once per position for the engine's life (per forward pass the trigonometry was ~1 % of stories260K's scoring). */
    private volatile RopeTable ropeTable = NO_ROPE;

    /** The rotation factors of positions 0..max(pos) at least. */
    private RopeTable ropeTable(int[] pos) {
        int maxPos = 0;
        for (int p : pos) maxPos = Math.max(maxPos, p);
        RopeTable t = ropeTable;
        if (t.positions() > maxPos) return t;
        synchronized (this) {
            t = ropeTable;
            if (t.positions() > maxPos) return t;
            // doubling (decode adds a position at a time), but not past the model's context while inside it
            int positions = Math.max(maxPos + 1, 2 * t.positions());
            if (maxPos < c.maxSeqLen()) positions = Math.min(positions, c.maxSeqLen());
            ropeTable = t = RopeTable.grow(t, invFreq, c.headDim(), c.ropeLayout() == RopeLayout.INTERLEAVED, positions);
            return t;
        }
    }

    /** The position of each of the n rows: start + t, or its segment's position when packed. */
    private static int[] positions(int n, int start, Segments seg) {
        int[] pos = new int[n];
        for (int t = 0; t < n; t++) pos[t] = seg == null ? start + t : seg.position(t);
        return pos;
    }

    /** Pairs of neighbouring lanes swapped: the partners of interleaved RoPE pairs. */
    private static final jdk.incubator.vector.VectorShuffle<Float> SWAP_PAIRS = jdk.incubator.vector.VectorShuffle.fromOp(F, i -> i ^ 1);

    /**
     * Rotates every head of {@code n} rows (row t at position pos[t]) in the model's pairing layout, a
     * vector at a time where the pairs allow it (interleaved: hd a multiple of the vector length, partners by
     * swapping neighbouring lanes; rotate-half: hd/2 a multiple of it, partners a half apart), else per pair;
     * both are {@link RopeTable}'s form of the rotation, so the results are the same bits.
     */
    private void rope(float[] a, int n, int heads, int[] pos, RopeTable rt) {
        rope(a, n, heads, c.headDim(), c.ropeLayout() == RopeLayout.INTERLEAVED, pos, rt);
    }

    static void rope(float[] a, int n, int heads, int hd, boolean interleaved, int[] pos, RopeTable rt) {
        int half = hd / 2, lanes = F.length();
        float[] cos = rt.cos(), sin = rt.sin();
        boolean vector = interleaved ? hd % lanes == 0 : half % lanes == 0;
        for (int t = 0; t < n; t++) {
            int p = pos[t] * hd;
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * hd;
                if (vector && interleaved) {
                    for (int j = 0; j < hd; j += lanes) {
                        FloatVector v = FloatVector.fromArray(F, a, base + j);
                        FloatVector w = v.rearrange(SWAP_PAIRS);
                        v.mul(FloatVector.fromArray(F, cos, p + j)).add(w.mul(FloatVector.fromArray(F, sin, p + j))).intoArray(a, base + j);
                    }
                } else if (vector) {
                    for (int j = 0; j < half; j += lanes) {
                        FloatVector v0 = FloatVector.fromArray(F, a, base + j), v1 = FloatVector.fromArray(F, a, base + half + j);
                        v0.mul(FloatVector.fromArray(F, cos, p + j)).add(v1.mul(FloatVector.fromArray(F, sin, p + j))).intoArray(a, base + j);
                        v1.mul(FloatVector.fromArray(F, cos, p + half + j)).add(v0.mul(FloatVector.fromArray(F, sin, p + half + j)))
                                .intoArray(a, base + half + j);
                    }
                } else {
                    for (int i = 0; i < half; i++) {
                        int j0 = interleaved ? 2 * i : i, j1 = interleaved ? j0 + 1 : j0 + half;
                        float x0 = a[base + j0], x1 = a[base + j1];
                        a[base + j0] = x0 * cos[p + j0] + x1 * sin[p + j0];
                        a[base + j1] = x1 * cos[p + j1] + x0 * sin[p + j1];
                    }
                }
            }
        }
    }

    /** Queries per block in prefill attention: bounds the score buffer to QUERY_BLOCK × context floats per head. */
    private static final int QUERY_BLOCK = 64;

    /**
     * Causal softmax attention of query rows [from, n) of a chunk of n (positions start..) over the cache. A few
     * queries (decode): one job per (query, head), scores by dot products. A prompt: one job per head,
     * scores of a block of queries against all keys as one tiled matrix product (keys as the rows).
     */
    private void attention(float[] q, float[] kc, float[] vc, float[] out, int n, int from, int start) {
        int hd = c.headDim(), qDim = c.qDim(), kvDim = c.kvDim(), heads = c.nHeads();
        int group = heads / c.nKvHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        // the prompt path starts at the query block holding `from`: a block's scores are one tiled product
        // whose sums depend on the block's size, and a query's result must not depend on which are wanted
        int first = n < 4 ? from : from / QUERY_BLOCK * QUERY_BLOCK;
        java.util.Arrays.fill(out, first * qDim, n * qDim, 0f);
        int total = start + n;
        if (n < 4) {
            int grain = Math.max(1, 32768 / (total * hd));
            Parallel.forRange(0, heads * (n - from), grain, job -> {
                int h = job % heads, t = from + job / heads;
                int kvOff = (h / group) * hd;
                int len = start + t + 1;
                float[] scores = new float[len];
                int qo = t * qDim + h * hd;
                for (int j = 0; j < len; j++) scores[j] = VectorKernels.dot(q, qo, kc, j * kvDim + kvOff, hd);
                softmaxInto(scores, 0, len, scale, vc, kvOff, kvDim, out, qo, hd);
            });
            return;
        }
        Parallel.forRange(0, heads, 1, h -> {
            int kvOff = (h / group) * hd;
            float[] s = new float[Math.min(QUERY_BLOCK, n - first) * total];
            for (int t0 = first; t0 < n; t0 += QUERY_BLOCK) {
                int tb = Math.min(QUERY_BLOCK, n - t0);
                int keys = start + t0 + tb; // keys the block's last query sees; earlier queries mask the rest
                VectorKernels.matmulTile(kc, kvOff, kvDim, keys, hd, q, t0 * qDim + h * hd, qDim, tb, s, 0, keys, null, 0);
                for (int t = 0; t < tb; t++) {
                    int len = start + t0 + t + 1;
                    softmaxInto(s, t * keys, len, scale, vc, kvOff, kvDim, out, (t0 + t) * qDim + h * hd, hd);
                }
            }
        });
    }

    /** out[o..o+hd) = Σ_j softmax(scale·s)_j · v_j over the first len raw scores at s[sOff..]. */
    private static void softmaxInto(float[] s, int sOff, int len, float scale, float[] vc, int kvOff, int kvDim,
                                    float[] out, int o, int hd) {
        float max = VectorKernels.max(s, sOff, len);
        // exponentials a vector at a time by VectorExp (the scalar tail by its scalar twin, same bits) instead
        // of Math.exp per key, which was ~4 % of a SmolLM2-135M decode step at a few hundred positions
        int lanes = F.length(), j = 0;
        for (; j + lanes <= len; j += lanes) {
            VectorExp.exp(FloatVector.fromArray(F, s, sOff + j).sub(max).mul(scale)).intoArray(s, sOff + j);
        }
        for (; j < len; j++) s[sOff + j] = VectorExp.exp((s[sOff + j] - max) * scale);
        double sum = 0;
        for (j = 0; j < len; j++) sum += s[sOff + j];
        float inv = (float) (1.0 / sum);
        for (j = 0; j < len; j++) VectorKernels.axpy(s[sOff + j] * inv, vc, j * kvDim + kvOff, out, o, hd);
    }

    /** Head sizes up to this use {@link #segmentAttention} for prompts too (scores vectorised over keys). */
    private static final int SMALL_HEAD = 16;

    /**
     * Rows of one forward pass grouped in segments, for scoring several continuations of one context in a
     * single pass. Segment g holds rows [rowStart[g], rowStart[g+1]) of the chunk (cache slots start+row),
     * at positions posStart[g], posStart[g]+1, ...; its rows attend to cache slots [0, prefixEnd[g]) and
     * to the rows of their own segment up to themselves. A causal chunk is one segment whose prefix is
     * everything cached before it.
     */
    static final class Segments {
        final int[] rowStart, prefixEnd, posStart;
        private final int[] segmentOf;

        Segments(int[] rowStart, int[] prefixEnd, int[] posStart) {
            this.rowStart = rowStart;
            this.prefixEnd = prefixEnd;
            this.posStart = posStart;
            int n = rowStart[rowStart.length - 1];
            segmentOf = new int[n];
            for (int g = 0; g + 1 < rowStart.length; g++) {
                if (rowStart[g + 1] < rowStart[g]) throw new IllegalArgumentException("segment " + g + " ends before it starts");
                java.util.Arrays.fill(segmentOf, rowStart[g], rowStart[g + 1], g);
            }
        }

        static Segments causal(int start, int n) {
            return new Segments(new int[]{0, n}, new int[]{start}, new int[]{start});
        }

        int count() { return prefixEnd.length; }

        int position(int row) {
            int g = segmentOf[row];
            return posStart[g] + row - rowStart[g];
        }
    }

    /**
     * Softmax attention of the chunk's rows from.. as {@link Segments} say, for any head size; used for packed
     * scoring and, for small heads, for every prompt. Per KV head the keys a segment sees (its prefix, then
     * its own rows) are held transposed and contiguous in one zero-padded buffer, so a query's scores are
     * computed a vector of keys at a time in one pass (the head dimension is the short inner loop, which a
     * per-key dot product of 8 floats would waste). Queries go {@link #QUERY_BATCH} at a time (see
     * {@link #attendBatch}); the mathematics is {@link #softmaxInto}'s, with base-2 exponentials and the
     * normalisation applied to the output.
     */
    private void segmentAttention(float[] q, float[] kc, float[] vc, float[] out, int n, int from, int start, Segments seg) {
        final int hd = c.headDim(), qDim = c.qDim(), kvDim = c.kvDim(), group = c.nHeads() / c.nKvHeads();
        // scores go to base-2 exponentials: the scale 1/√hd and log2(e) folded into one multiply-add
        final float scale2 = (float) (LOG2_E / Math.sqrt(hd));
        final int lanes = VectorKernels.F.length();
        int widest = 0;
        for (int g = 0; g < seg.count(); g++) widest = Math.max(widest, seg.prefixEnd[g] + seg.rowStart[g + 1] - seg.rowStart[g]);
        final int maxCols = (widest + lanes - 1) / lanes * lanes;
        final int slots = start + n, stride = (slots + lanes - 1) / lanes * lanes + 2 * lanes; // zero padding for whole-vector reads
        Parallel.forRange(0, c.nKvHeads(), 1, kh -> {
            // kt[d * stride + j]: column j < pre is cache slot j, the segment's own rows follow its prefix.
            // Columns [0, identity) hold slots [0, identity): a prefix shared by consecutive segments (a context
            // and its continuations) is copied once, and each segment's own rows overwrite the previous one's
            // (copying every segment's prefix again cost ~7 % of stories260K's scoring; two score passes,
            // prefix and own rows apart, wasted a partial vector pair each)
            float[] kt = new float[hd * stride];
            // values likewise, in planes of one vector's worth of dimensions: vt[c·vPlane + j·lanes + l] is value
            // dimension c·lanes + l of column j, so the weighted sums load them indexed by the key with a constant
            // stride (C2 then drops the bounds checks that cost a compare and branch per load)
            int vPlane = stride * lanes;
            float[] vt = new float[hd / lanes * vPlane];
            int kvOff = kh * hd, identity = 0;
            int sStride = maxCols + 2 * lanes;
            float[] s = new float[QUERY_BATCH * sStride], laneSums = new float[QUERY_BATCH * lanes], inv = new float[QUERY_BATCH];
            double[] sums = new double[QUERY_BATCH];
            int[] qo = new int[QUERY_BATCH], len = new int[QUERY_BATCH];
            for (int g = 0; g < seg.count(); g++) {
                int r0 = seg.rowStart[g], r1 = seg.rowStart[g + 1], pre = seg.prefixEnd[g], own = r1 - r0, ownSlot = start + r0;
                if (identity < pre) {
                    copyColumns(kc, vc, kvDim, kvOff, hd, identity, kt, stride, vt, vPlane, identity, pre - identity);
                    identity = pre;
                }
                if (ownSlot != pre) {
                    copyColumns(kc, vc, kvDim, kvOff, hd, ownSlot, kt, stride, vt, vPlane, pre, own);
                    identity = pre;
                } else if (identity < pre + own) {
                    copyColumns(kc, vc, kvDim, kvOff, hd, identity, kt, stride, vt, vPlane, identity, pre + own - identity);
                    identity = pre + own;
                }
                // the segment's queries in (row, head) order, QUERY_BATCH at a time: they share keys and values;
                // a short last batch repeats its last query (same output written twice), ~1 % more work
                // than a one-query path of its own and a third of the code
                // (row t, head kh·group + h) of the next query, counted forward: a division per query (the
                // group size is not a constant) was ~1 % of stories260K's scoring
                // rows before `from` are not wanted (see layer): their keys were copied above all the same
                int t = Math.max(r0, from), queries = (r1 - t) * group, h = 0;
                for (int qi = 0; qi < queries; qi += QUERY_BATCH) {
                    for (int i = 0; i < QUERY_BATCH; i++) {
                        qo[i] = t * qDim + (kh * group + h) * hd;
                        len[i] = pre + (t - r0) + 1;
                        if (qi + i + 1 < queries && ++h == group) {
                            h = 0;
                            t++;
                        }
                    }
                    attendBatch(kt, stride, vt, vPlane, q, qo, len, hd, s, sStride, scale2, vc, kvDim, kvOff, pre, ownSlot, out, laneSums, inv, sums);
                }
            }
        });
    }

    /**
     * Columns toCol.. of the head's key and value buffers from cache slots fromSlot.. (count of them):
     * kt[d·stride + col] = key dimension d, vt[c·vPlane + col·lanes + l] = value dimension c·lanes + l
     * (whole vectors of dimensions only; {@link #weightedValues} reads a remainder from the cache).
     */
    private static void copyColumns(float[] kc, float[] vc, int kvDim, int kvOff, int hd, int fromSlot, float[] kt, int stride,
                                    float[] vt, int vPlane, int toCol, int count) {
        int lanes = F.length();
        for (int i = 0; i < count; i++) {
            int ko = (fromSlot + i) * kvDim + kvOff, col = toCol + i;
            for (int d = 0; d < hd; d++) kt[d * stride + col] = kc[ko + d];
            for (int c = 0; c + lanes <= hd; c += lanes) FloatVector.fromArray(F, vc, ko + c).intoArray(vt, c / lanes * vPlane + col * lanes);
        }
    }

    /** log2(e): the packed attention's exponentials are base 2 (see {@link #softmaxWeights}). */
    private static final double LOG2_E = 1.4426950408889634;

    /** Keys summed from zero before joining the running total in {@link #weightedValues} (even: pairs of keys). */
    private static final int KEY_BLOCK = 64;

    /** Queries attended together by {@link #attendBatch} (its score loop, VectorKernels.max4 and the paired exponentials are written for four). */
    private static final int QUERY_BATCH = 4;

    /**
     * {@link #QUERY_BATCH} queries of one segment (lengths ascending, the last the longest): scores against
     * the transposed keys kt (columns 0..len, see {@link #segmentAttention}), softmax weights, weighted values.
     * Each key vector and each value row is loaded once for all of them. Scores go to rows of s (stride
     * sStride); a query's weights past its own length are zero, so all are summed over the longest length.
     */
    private static void attendBatch(float[] kt, int stride, float[] vt, int vPlane, float[] q, int[] qo, int[] len, int hd, float[] s, int sStride,
                                    float scale2, float[] vc, int kvDim, int kvOff, int pre, int ownSlot0, float[] out,
                                    float[] laneSums, float[] inv, double[] sums) {
        int lenMax = len[QUERY_BATCH - 1];
        int lanes = F.length(), q0 = qo[0], q1 = qo[1], q2 = qo[2], q3 = qo[3];
        // two vectors of keys × four queries (8 accumulators, each query value broadcast once for both):
        // 1.4–1.7× one vector of keys at a time in a microbenchmark; whole vectors are written, up to
        // lanes − 1 past lenMax (the buffers are padded for it)
        int i = 0;
        for (; i + lanes < lenMax; i += 2 * lanes) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int d = 0, ko = i; d < hd; d++, ko += stride) {
                FloatVector k = FloatVector.fromArray(F, kt, ko), l = FloatVector.fromArray(F, kt, ko + lanes);
                FloatVector x = FloatVector.broadcast(F, q[q0 + d]);
                a0 = k.fma(x, a0);
                b0 = l.fma(x, b0);
                x = FloatVector.broadcast(F, q[q1 + d]);
                a1 = k.fma(x, a1);
                b1 = l.fma(x, b1);
                x = FloatVector.broadcast(F, q[q2 + d]);
                a2 = k.fma(x, a2);
                b2 = l.fma(x, b2);
                x = FloatVector.broadcast(F, q[q3 + d]);
                a3 = k.fma(x, a3);
                b3 = l.fma(x, b3);
            }
            a0.intoArray(s, i);
            b0.intoArray(s, i + lanes);
            a1.intoArray(s, sStride + i);
            b1.intoArray(s, sStride + i + lanes);
            a2.intoArray(s, 2 * sStride + i);
            b2.intoArray(s, 2 * sStride + i + lanes);
            a3.intoArray(s, 3 * sStride + i);
            b3.intoArray(s, 3 * sStride + i + lanes);
        }
        if (i < lenMax) {
            // at most one vector of keys left: one vector, not a pair (the pair wasted ~10 % of the scores)
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0, ko = i; d < hd; d++, ko += stride) {
                FloatVector k = FloatVector.fromArray(F, kt, ko);
                a0 = k.fma(FloatVector.broadcast(F, q[q0 + d]), a0);
                a1 = k.fma(FloatVector.broadcast(F, q[q1 + d]), a1);
                a2 = k.fma(FloatVector.broadcast(F, q[q2 + d]), a2);
                a3 = k.fma(FloatVector.broadcast(F, q[q3 + d]), a3);
            }
            a0.intoArray(s, i);
            a1.intoArray(s, sStride + i);
            a2.intoArray(s, 2 * sStride + i);
            a3.intoArray(s, 3 * sStride + i);
        }
        softmaxWeights(s, sStride, len, scale2, laneSums, inv, sums);
        weightedValues(s, sStride, lenMax, vt, vPlane, vc, kvDim, kvOff, pre, ownSlot0, out, qo, hd, inv);
    }

    /**
     * Unnormalised softmax weights of the four queries in place: row b's raw scores s[b·sStride ..+len[b])
     * become 2^((s - max_b)·scale2) with scale2 = log2(e)/√hd, i.e. e^((s - max_b)/√hd), and the row is 0
     * from len[b] to the longest length rounded up to whole vectors; inv[b] = 1/Σ. The weighted values are
     * multiplied by inv once per output instead of once per weight (a pass over the weights fewer: ~10 %
     * of attention). The exponentials and their sums come from {@link VectorExp#exp2RowsSummed} (within 2
     * ulp, two rows at a time), the argument one multiply-add of the raw score: the base-2 form saves six of
     * the natural exponential's vector operations, and the exponential loop was ~40 % of attention.
     *
     * <p>JIT notes, measured with JFR on JDK 25 (AVX2): no FloatVector may be passed to or returned from a
     * call C2 does not inline — it is then boxed and its operations run as the Vector API's Java fallback
     * (four exponential calls in one loop body stopped C2 inlining them; a helper taking the max vector was
     * not inlined either); the maxima and sums are therefore finished inside {@link VectorKernels#max4} and
     * {@link VectorExp#exp2RowsSummed}. An earlier version of this method lost ~40 % of stories260K's PIQA
     * time to such fallbacks.
     */
    private static void softmaxWeights(float[] s, int sStride, int[] len, float scale2, float[] laneSums, float[] inv,
                                       double[] sums) {
        int lanes = F.length(), end = (len[QUERY_BATCH - 1] + lanes - 1) / lanes * lanes;
        padRows(s, sStride, len, Float.NEGATIVE_INFINITY); // outside the max
        VectorKernels.max4(s, sStride, end, inv, laneSums);
        for (int b = 0; b < QUERY_BATCH; b++) inv[b] *= -scale2; // the shifts, until inv is the inverse sums below
        // two rows per call, their exponentials interleaved and summed in the same loop
        VectorExp.exp2RowsSummed(s, 0, sStride, end, scale2, inv[0], inv[1], sums, 0, laneSums);
        VectorExp.exp2RowsSummed(s, 2 * sStride, 3 * sStride, end, scale2, inv[2], inv[3], sums, 2, laneSums);
        // the padding's weight is 0 exactly (2^-∞ comes out as 2^-126, which the sums above absorb: each is at
        // least 1, the maximum's own weight); a key more than 126 octaves below the largest keeps 2^-126 ≈ 1.2e-38
        // of weight instead of its own less-than-that
        padRows(s, sStride, len, 0f);
        for (int b = 0; b < QUERY_BATCH; b++) inv[b] = (float) (1.0 / sums[b]);
    }

    /** Lane indices as floats, for {@link #padRows}' masks. */
    private static final float[] LANE_INDEX = laneIndex();

    private static float[] laneIndex() {
        float[] a = new float[F.length()];
        for (int i = 0; i < a.length; i++) a[i] = i;
        return a;
    }

    /**
     * Row b of s from len[b] to the end of the next whole vector after the one holding len[b] set to
     * {@code value} (the longest row's padding spans at most that: lengths in a batch differ by less than a
     * vector), by a masked blend and a store: a scalar fill per row cost as much as the maxima, mostly in
     * mispredicted loop exits.
     */
    private static void padRows(float[] s, int sStride, int[] len, float value) {
        int lanes = F.length();
        FloatVector index = FloatVector.fromArray(F, LANE_INDEX, 0), fill = FloatVector.broadcast(F, value);
        for (int b = 0, o = 0; b < QUERY_BATCH; b++, o += sStride) {
            int p = len[b] / lanes * lanes;
            FloatVector v = FloatVector.fromArray(F, s, o + p);
            v.blend(fill, index.compare(VectorOperators.GE, (float) (len[b] - p))).intoArray(s, o + p);
            fill.intoArray(s, o + p + lanes);
        }
    }

    /**
     * out[qo[b]..+hd) = inv[b]·Σ_j w_b[j]·value j for the four queries b (weights in rows of s), keys j < pre
     * at cache slot j and the rest at ownSlot0 + (j - pre); each value row loaded once for the four queries,
     * keys in blocks of {@link #KEY_BLOCK}, two FMA chains per query within a block (even and odd keys). The decode path's {@link #softmaxInto} sums key by key:
     * results agree to float rounding.
     */
    private static void weightedValues(float[] s, int sStride, int len, float[] vt, int vPlane, float[] vc, int kvDim, int kvOff, int pre,
                                       int ownSlot0, float[] out, int[] qo, int hd, float[] inv) {
        int lanes = F.length(), d0 = 0, split = Math.min(pre, len), ownBase = (ownSlot0 - pre) * kvDim + kvOff;
        int s1 = sStride, s2 = 2 * sStride, s3 = 3 * sStride;
        for (; d0 + lanes <= hd; d0 += lanes) {
            // Keys in blocks of KEY_BLOCK summed from zero, block sums added to a running total, and
            // within a block even and odd keys in separate chains per query (8 accumulators): float sums over
            // a few hundred keys are where most of the float32 error of long PIQA items came from (one chain
            // per query over all keys put the worst item 1.4e-4 off the float64 reference, two chains 8.7e-5).
            FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0;
            int plane = d0 / lanes * vPlane;
            for (int jb = 0; jb < len; ) {
                // a block lies within the prefix or within the own rows (the grouping of the sums, kept from
                // when the two were read from different places)
                int je = Math.min(jb < split ? split : len, jb + KEY_BLOCK), pairsEnd = jb + ((je - jb) & ~1), j;
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                for (j = jb; j < pairsEnd; j += 2) {
                    FloatVector v = FloatVector.fromArray(F, vt, plane + j * L);
                    a0 = v.fma(FloatVector.broadcast(F, s[j]), a0);
                    a1 = v.fma(FloatVector.broadcast(F, s[s1 + j]), a1);
                    a2 = v.fma(FloatVector.broadcast(F, s[s2 + j]), a2);
                    a3 = v.fma(FloatVector.broadcast(F, s[s3 + j]), a3);
                    FloatVector w = FloatVector.fromArray(F, vt, plane + j * L + L);
                    b0 = w.fma(FloatVector.broadcast(F, s[j + 1]), b0);
                    b1 = w.fma(FloatVector.broadcast(F, s[s1 + j + 1]), b1);
                    b2 = w.fma(FloatVector.broadcast(F, s[s2 + j + 1]), b2);
                    b3 = w.fma(FloatVector.broadcast(F, s[s3 + j + 1]), b3);
                }
                if (j < je) {
                    FloatVector v = FloatVector.fromArray(F, vt, plane + j * L);
                    a0 = v.fma(FloatVector.broadcast(F, s[j]), a0);
                    a1 = v.fma(FloatVector.broadcast(F, s[s1 + j]), a1);
                    a2 = v.fma(FloatVector.broadcast(F, s[s2 + j]), a2);
                    a3 = v.fma(FloatVector.broadcast(F, s[s3 + j]), a3);
                }
                t0 = t0.add(a0.add(b0));
                t1 = t1.add(a1.add(b1));
                t2 = t2.add(a2.add(b2));
                t3 = t3.add(a3.add(b3));
                jb = je;
            }
            t0.mul(inv[0]).intoArray(out, qo[0] + d0);
            t1.mul(inv[1]).intoArray(out, qo[1] + d0);
            t2.mul(inv[2]).intoArray(out, qo[2] + d0);
            t3.mul(inv[3]).intoArray(out, qo[3] + d0);
        }
        for (; d0 < hd; d0++) {
            for (int b = 0; b < QUERY_BATCH; b++) {
                float acc = 0;
                for (int j = 0; j < len; j++) acc = Math.fma(s[b * sStride + j], vc[j * kvDim + (j < split ? kvOff : ownBase) + d0], acc);
                out[qo[b] + d0] = acc * inv[b];
            }
        }
    }

    // ------------------------------------------------------------------ convenience APIs

    /** Next-token logits at every position of {@code tokens} (a fresh cache), [position][vocab]. */
    public float[][] logits(int[] tokens) {
        KvCache cache = newCache(tokens.length);
        float[] flat = forward(cache, tokens, 0, tokens.length, 0);
        int v = c.vocabSize();
        float[][] out = new float[tokens.length][];
        for (int t = 0; t < tokens.length; t++) out[t] = java.util.Arrays.copyOfRange(flat, t * v, (t + 1) * v);
        return out;
    }

    /** Greedy decoding: the prompt in one batch, then {@code n} tokens one at a time; returns the new tokens. */
    public int[] generate(int[] prompt, int n) {
        if (prompt.length == 0) throw new IllegalArgumentException("generate needs a non-empty prompt");
        KvCache cache = newCache(prompt.length + n);
        int[] out = new int[n];
        if (n == 0) return out;
        float[] logits = forward(cache, prompt, 0, prompt.length, prompt.length - 1);
        int[] one = new int[1];
        for (int i = 0; i < n; i++) {
            out[i] = argmax(logits, 0, c.vocabSize());
            if (i + 1 < n) {
                one[0] = out[i];
                logits = forward(cache, one, 0, 1, 0);
            }
        }
        return out;
    }

    /** The first index j ≤ last with a[off + j] == value, or last + 1 if there is none. */
    private static int firstIndexOf(float[] a, int off, int last, float value) {
        int j = 0;
        while (j <= last && a[off + j] != value) j++;
        return j;
    }

    static int argmax(float[] a, int off, int n) {
        int best = 0;
        float bv = a[off];
        for (int i = 1; i < n; i++) {
            if (a[off + i] > bv) { bv = a[off + i]; best = i; }
        }
        return best;
    }

    /**
     * log Σ exp(a[off..off+n)) (n ≥ 1), the maximum subtracted first; {@code lanes} holds at least two vectors.
     */
    static double logSumExp(float[] a, int off, int n, float[] lanes) {
        return logSumExp(a, off, n, VectorKernels.max(a, off, n), lanes);
    }

    /**
     * {@link #logSumExp(float[], int, int, float[])} with the row's maximum already known: e^(a − max) in
     * float a vector at a time ({@link VectorExp#exp}, within 2 ulp; one call per loop body, see VectorExp),
     * summed by compensated (Kahan) float lane sums, the lanes then added in double in a fixed order
     * (reduceLanes' order is left open and differs between compiled and interpreted code). Within ≈ 1e-7 of
     * the double computation per row, independently rounded from row to row: the lm-eval golden fixtures'
     * worst PIQA item moved from 9.10e-5 to 8.98e-5 of the float64 reference when this replaced a double
     * version (double exponentials four lanes at a time cost 4.7 % of stories260K's PIQA time, this 2.5 %);
     * an earlier float version with plain float lane sums had moved it past 1e-4.
     */
    static double logSumExp(float[] a, int off, int n, float max, float[] lanes) {
        FloatVector u = FloatVector.zero(F), c = u;
        int i = 0;
        // two exponentials per step (their latency overlaps), summed one after the other as below
        for (; i + 2 * L <= n; i += 2 * L) {
            FloatVector e = VectorExp.exp(FloatVector.fromArray(F, a, off + i).sub(max));
            FloatVector f = VectorExp.exp(FloatVector.fromArray(F, a, off + i + L).sub(max));
            FloatVector y = e.sub(c), t = u.add(y);
            c = t.sub(u).sub(y);
            u = t;
            y = f.sub(c);
            t = u.add(y);
            c = t.sub(u).sub(y);
            u = t;
        }
        for (; i + L <= n; i += L) {
            FloatVector e = VectorExp.exp(FloatVector.fromArray(F, a, off + i).sub(max));
            FloatVector y = e.sub(c), t = u.add(y);
            c = t.sub(u).sub(y);
            u = t;
        }
        u.intoArray(lanes, 0);
        c.intoArray(lanes, L);
        double sum = 0;
        for (int j = 0; j < L; j++) sum += lanes[j];
        for (int j = 0; j < L; j++) sum -= lanes[L + j];
        for (; i < n; i++) sum += VectorExp.exp(a[off + i] - max);
        return max + Math.log(sum);
    }

    // ------------------------------------------------------------------ Scorer

    @Override public int maxLength() { return maxLength; }

    @Override public int vocabSize() { return c.vocabSize(); }

    /** Inputs × outputs of every projection and of the classifier (the embedding lookup costs nothing). */
    @Override
    public long weightsPerToken() {
        long w = (long) lmHead.inFeatures() * lmHead.outFeatures();
        for (Layer l : layers) {
            for (Linear x : new Linear[]{l.q, l.k, l.v, l.o, l.gate, l.up, l.down}) w += (long) x.inFeatures() * x.outFeatures();
        }
        return w;
    }

    /** Largest number of logit floats one packed scoring pass may produce (bounds its memory). */
    private static final long PACK_LOGITS_BUDGET = 8L << 20;
    private long packLogitsBudget = PACK_LOGITS_BUDGET;

    /** Tests: a smaller budget, so that continuations are spread over several passes. */
    void packLogitsBudget(long floats) { packLogitsBudget = floats; }

    /**
     * The context and every continuation that fits within the max length go through one forward pass
     * (more when their logits would exceed {@link #PACK_LOGITS_BUDGET}): the continuations are packed
     * as {@link Segments} after the context, each attending to the context and to itself only, at the
     * positions it would have alone. Continuations too long for the max length are run alone with the
     * context cut on the left, as lm-eval does.
     */
    @Override
    public ContinuationScore[] score(int[] context, int[][] continuations, boolean wantDistributions) {
        if (context.length == 0) {
            throw new IllegalArgumentException("scoring needs a non-empty context (lm-eval uses BOS/EOT as the context of an empty one)");
        }
        ContinuationScore[] out = new ContinuationScore[continuations.length];
        final int v = c.vocabSize(), ctx = context.length;
        final int packRows = (int) Math.max(1, Math.min(Integer.MAX_VALUE, packLogitsBudget / v));
        java.util.List<Integer> fitting = new java.util.ArrayList<>();
        for (int ci = 0; ci < continuations.length; ci++) {
            int[] cont = continuations[ci];
            if (cont.length == 0) throw new IllegalArgumentException("continuation " + ci + " is empty");
            if (cont.length > maxLength) {
                throw new IllegalArgumentException("continuation " + ci + " has " + cont.length + " tokens, more than max length " + maxLength);
            }
            if (ctx + cont.length <= maxLength + 1L) { // long: a declared context of 2^31-1 must not overflow into the cut branch
                fitting.add(ci);
            } else {
                // lm-eval: inp = (ctx + cont)[-(max_len+1):][:-1]; the context is cut on the left
                int keep = maxLength + 1 - cont.length;
                int[] inp = new int[maxLength];
                System.arraycopy(context, ctx - keep, inp, 0, keep);
                System.arraycopy(cont, 0, inp, keep, cont.length - 1);
                KvCache cache = newCache(maxLength);
                float[] all = forward(cache, inp, 0, maxLength, keep - 1);
                out[ci] = scoreRows(all, 0, all, v, cont, wantDistributions);
            }
        }
        if (fitting.isEmpty()) return out;
        int rowsNeeded = ctx;
        for (int ci : fitting) rowsNeeded += continuations[ci].length - 1;
        KvCache cache = newCache(Math.min(rowsNeeded, ctx + packRows));
        float[] ctxLogits = null;
        int next = 0;
        while (next < fitting.size()) {
            // one pass: the context (first pass only) and then as many continuations as the budget allows
            boolean withContext = ctxLogits == null;
            int first = next, rows = withContext ? ctx : 0;
            while (next < fitting.size()) {
                int r = continuations[fitting.get(next)].length - 1;
                if (next > first && rows + r > (withContext ? ctx : 0) + packRows) break;
                rows += r;
                next++;
            }
            int segs = next - first + (withContext ? 1 : 0);
            int[] tokens = new int[rows];
            int[] rowStart = new int[segs + 1], prefixEnd = new int[segs], posStart = new int[segs];
            int at = 0, g = 0;
            if (withContext) {
                System.arraycopy(context, 0, tokens, 0, ctx);
                rowStart[1] = at = ctx;
                g = 1;
            }
            for (int m = first; m < next; m++, g++) {
                int[] cont = continuations[fitting.get(m)];
                System.arraycopy(cont, 0, tokens, at, cont.length - 1);
                prefixEnd[g] = ctx;
                posStart[g] = ctx;
                at += cont.length - 1;
                rowStart[g + 1] = at;
            }
            int logitsFrom = withContext ? ctx - 1 : 0;
            float[] logits = rows == 0 ? new float[0] : forward(cache, tokens, 0, rows, logitsFrom, new Segments(rowStart, prefixEnd, posStart), false);
            cache.truncate(ctx);
            // logits row i is chunk row logitsFrom + i; the context's last row predicts every first token
            if (withContext) ctxLogits = java.util.Arrays.copyOf(logits, v);
            for (int m = first, gg = withContext ? 1 : 0; m < next; m++, gg++) {
                int ci = fitting.get(m);
                out[ci] = scoreRows(ctxLogits, 0, logits, (rowStart[gg] - logitsFrom) * v, continuations[ci], wantDistributions);
            }
        }
        return out;
    }

    /**
     * Row 0 of the predictions is {@code first} at firstOff (the context's last position), row i > 0 is
     * {@code rest} at restOff + (i - 1) * vocab.
     */
    private ContinuationScore scoreRows(float[] first, int firstOff, float[] rest, int restOff, int[] cont, boolean wantDistributions) {
        int v = c.vocabSize();
        float[] lp = new float[cont.length];
        float[][] dists = wantDistributions ? new float[cont.length][] : null;
        float[] lanes = new float[2 * L];
        double sum = 0;
        boolean greedy = true;
        for (int i = 0; i < cont.length; i++) {
            float[] row = i == 0 ? first : rest;
            int off = i == 0 ? firstOff : restOff + (i - 1) * v;
            int tok = cont[i];
            if (tok < 0 || tok >= v) throw new IllegalArgumentException("continuation token " + tok + " is outside the vocabulary of " + v);
            float max = VectorKernels.max(row, off, v);
            double lse = logSumExp(row, off, v, max, lanes);
            double l = row[off + tok] - lse;
            lp[i] = (float) l;
            sum += l;
            // greedy: tok is the argmax (the first index of the maximum), told from the maximum above; a
            // separate argmax pass over the vocabulary was a fifth of this loop's time
            if (greedy && (row[off + tok] != max || firstIndexOf(row, off, tok, max) != tok)) greedy = false;
            if (dists != null) {
                float[] d = new float[v];
                for (int j = 0; j < v; j++) d[j] = (float) (row[off + j] - lse);
                dists[i] = d;
            }
        }
        return new ContinuationScore(lp, sum, greedy, dists);
    }
}
