package dev.llmcw.engine;

import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.tensor.Linear;
import java.util.Arrays;

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
 *
 * <p>The parts: {@link LlamaWeights} (the weights, checked against the config), {@link RotaryEmbedding},
 * {@link CausalAttention} and {@link SegmentAttention} (the two attention kernels), {@link FeedForward},
 * {@link KvCache}, and {@link ContinuationScorer} (how scoring packs continuations into passes).
 */
public final class LlamaEngine implements Scorer {
    private final ModelConfig c;
    private final LlamaWeights w;
    private final RotaryEmbedding rope;
    private final int maxLength;
    private final ContinuationScorer scorer = new ContinuationScorer(this);

    /** One forward pass's place in the cache: its first slot, its segments (null: causal), the rows' positions and rotations. */
    private record Pass(KvCache cache, int start, Segments segments, int[] positions, RopeTable rotation) {}

    public LlamaEngine(Model model) {
        this(model, model.config().maxSeqLen());
    }

    /** @param maxLength longest input the scorer attends over (lm-eval's max_length) */
    public LlamaEngine(Model model, int maxLength) {
        this.c = model.config();
        if (maxLength <= 0) throw new IllegalArgumentException("max length must be positive, got " + maxLength);
        this.maxLength = maxLength;
        this.w = new LlamaWeights(model);
        this.rope = new RotaryEmbedding(c);
    }

    public ModelConfig config() {
        return c;
    }

    /** Bytes of the weights as this engine holds them (each projection in its own storage). */
    public long residentWeightBytes() {
        return w.residentBytes();
    }

    /** A fresh, empty cache sized for {@code expectedTokens} positions (it grows if more come). */
    public KvCache newCache(int expectedTokens) {
        return new KvCache(c.nLayers(), c.kvDim(), Math.max(16, expectedTokens));
    }

    public KvCache newCache() {
        return newCache(64);
    }

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
    float[] forward(KvCache cache, int[] tokens, int off, int n, int logitsFrom, Segments seg, boolean everyLayer) {
        if (n <= 0) throw new IllegalArgumentException("forward needs at least one token, got " + n);
        if (logitsFrom < 0 || logitsFrom > n)
            throw new IllegalArgumentException("logitsFrom " + logitsFrom + " outside [0, " + n + "]");
        final int dim = c.dim();
        final int start = cache.length();
        cache.ensureCapacity(start + n);
        Activations a = activations(n);
        embed(tokens, off, n, a.x);
        int[] pos = positions(n, start, seg);
        Pass pass = new Pass(cache, start, seg, pos, rope.table(pos));
        // the rows through the classifier: from logitsFrom, but at least BATCH_TILED_FROM of them (fewer would
        // take the decode kernels, whose sums are ordered differently, and a row's logits would depend on how
        // many were asked for); the last layer's rows before them are wanted for their keys and values only
        int from = logitsFrom == n ? n : Math.min(logitsFrom, Math.max(0, n - DenseLinear.BATCH_TILED_FROM));
        // one call per layer, no loop over tokens here: a forward pass of hundreds of tokens ran long enough
        // in the interpreter for C2 to compile this method twice on stack replacement (at two loops) and once
        // normally, each time with everything inlined (1.9 CPU-s of C2 in a cold PIQA run on stories260K)
        for (int li = 0, last = w.layerCount() - 1; li <= last; li++)
            layer(li, a, n, li == last && !everyLayer ? from : 0, pass);
        cache.setLength(start + n);
        int m = n - from, v = c.vocabSize();
        if (m == 0) return new float[0];
        float[] last = new float[m * dim];
        float[] lastIn = Arrays.copyOfRange(a.x, from * dim, n * dim);
        RowOps.rmsNorm(lastIn, w.finalNorm(), last, 0, m, dim, c.rmsEps());
        float[] logits = new float[Math.multiplyExact(m, v)];
        w.lmHead().forward(last, 0, logits, 0, m);
        return from == logitsFrom ? logits : Arrays.copyOfRange(logits, (logitsFrom - from) * v, m * v);
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

    /** x[t] = the embedding of tokens[off + t], for t < n. */
    private void embed(int[] tokens, int off, int n, float[] x) {
        int dim = c.dim();
        for (int t = 0; t < n; t++) {
            int tok = tokens[off + t];
            if (tok < 0 || tok >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + tok + " at index " + (off + t)
                        + " is outside the vocabulary of " + c.vocabSize());
            }
            w.embed().toFloat((long) tok * dim, x, t * dim, dim);
        }
    }

    /**
     * Layer li on the n rows of {@code a.x} (in place), their keys and values appended to the cache at start.
     * Only rows from.. are wanted out of it (the last layer, whose rows before the first one with wanted
     * logits feed nothing but their keys and values): the other rows get keys and values only, and their
     * rows of {@code a.x} are left as they were. In scoring, the context's rows are a quarter of PIQA's on
     * stories260K, and this skips most of their last layer.
     */
    private void layer(int li, Activations a, int n, int from, Pass pass) {
        final int dim = c.dim(), kvDim = c.kvDim(), m = n - from, start = pass.start();
        final float[] x = a.x, xb = a.xb, q = a.q, k = a.k, v = a.v, att = a.att, proj = a.proj;
        final Segments seg = pass.segments();
        LlamaWeights.Attention aw = w.layer(li).attention();
        RowOps.rmsNorm(x, aw.norm(), xb, 0, n, dim, c.rmsEps());
        if (from == 0) {
            DenseLinear.forwardShared(new Linear[] {aw.q(), aw.k(), aw.v()}, xb, new float[][] {q, k, v}, 0, n);
        } else {
            DenseLinear.forwardShared(new Linear[] {aw.k(), aw.v()}, xb, new float[][] {k, v}, 0, n);
            if (m > 0) aw.q().forward(xb, from * dim, q, from * c.qDim(), m);
        }
        if (aw.qBias() != null) {
            RowOps.addBias(q, aw.qBias(), n);
            RowOps.addBias(k, aw.kBias(), n);
            RowOps.addBias(v, aw.vBias(), n);
        }
        rope.apply(q, n, c.nHeads(), pass.positions(), pass.rotation());
        rope.apply(k, n, c.nKvHeads(), pass.positions(), pass.rotation());
        boolean llamaCpp = Numerics.llamaCpp();
        if (llamaCpp) {
            // llama.cpp's default cache stores keys and values as F16
            roundToF16(k, n * kvDim);
            roundToF16(v, n * kvDim);
        }
        KvCache cache = pass.cache();
        float[] kc = cache.keys(li), vc = cache.values(li);
        System.arraycopy(k, 0, kc, start * kvDim, n * kvDim);
        System.arraycopy(v, 0, vc, start * kvDim, n * kvDim);
        if (m == 0) return;
        AttentionBuffers io = new AttentionBuffers(q, kc, vc, att);
        if (llamaCpp) {
            LlamaCppAttention.attend(c, io, n, from, start, seg);
        } else if (seg != null || n >= 4) {
            SegmentAttention.attend(c, io, n, from, start, seg != null ? seg : Segments.causal(start, n));
        } else {
            CausalAttention.attend(c, io, n, from, start);
        }
        // decode with dense layers: residual adds and the SwiGLU activation happen inside the
        // projections' own parallel regions (same arithmetic, fewer serial steps between regions)
        if (!DenseLinear.forwardAdd(aw.o(), att, x, from, m)) {
            aw.o().forward(att, from * c.qDim(), proj, from * dim, m);
            RowOps.addInto(x, proj, from * dim, n * dim);
        }
        FeedForward.forward(c, w.layer(li).mlp(), a, n, from);
    }

    private static void roundToF16(float[] x, int len) {
        for (int i = 0; i < len; i++) x[i] = GgmlFloatOps.f16(x[i]);
    }

    /** The position of each of the n rows: start + t, or its segment's position when packed. */
    private static int[] positions(int n, int start, Segments seg) {
        int[] pos = new int[n];
        for (int t = 0; t < n; t++) pos[t] = seg == null ? start + t : seg.position(t);
        return pos;
    }

    // ------------------------------------------------------------------ convenience APIs

    /** Next-token logits at every position of {@code tokens} (a fresh cache), [position][vocab]. */
    public float[][] logits(int[] tokens) {
        KvCache cache = newCache(tokens.length);
        float[] flat = forward(cache, tokens, 0, tokens.length, 0);
        int v = c.vocabSize();
        float[][] out = new float[tokens.length][];
        for (int t = 0; t < tokens.length; t++) out[t] = Arrays.copyOfRange(flat, t * v, (t + 1) * v);
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
            out[i] = Logits.argmax(logits, 0, c.vocabSize());
            if (i + 1 < n) {
                one[0] = out[i];
                logits = forward(cache, one, 0, 1, 0);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ Scorer

    @Override
    public int maxLength() {
        return maxLength;
    }

    @Override
    public int vocabSize() {
        return c.vocabSize();
    }

    /** Inputs × outputs of every projection and of the classifier (the embedding lookup costs nothing). */
    @Override
    public long weightsPerToken() {
        return w.weightsPerToken();
    }

    /** Tests: a smaller budget for one packed scoring pass's logits, so that continuations are spread over several passes. */
    void packLogitsBudget(long floats) {
        scorer.packLogitsBudget(floats);
    }

    /** See {@link ContinuationScorer}. */
    @Override
    public ContinuationScore[] score(int[] context, int[][] continuations, boolean wantDistributions) {
        return scorer.score(context, continuations, wantDistributions);
    }
}
