package dev.llmcw.engine;

import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.RopeScaling;
import dev.llmcw.tensor.KernelSpecies;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rotary position embeddings of one model: the inverse frequencies (with llama3 scaling), the rotation
 * factors per position ({@link RopeTable}, grown on demand and shared by every forward pass), and the
 * rotation itself in either pairing layout. Public for the training path ({@code engine.train}), which
 * rotates with {@link #rotate} and takes gradients back through the transposed rotation, {@link #rotateBack}.
 */
public final class RotaryEmbedding {
    /** The float species, read from this constant (see {@link KernelSpecies#F}). */
    private static final VectorSpecies<Float> F = KernelSpecies.F;

    private final double[] invFreq;
    private final int headDim, maxSeqLen;
    private final boolean interleaved;
    /** The rope base for {@link Numerics#LLAMA_CPP}'s table; NaN where llama3 scaling applies (that table is not emulated). */
    private final float ggmlBase;

    public RotaryEmbedding(ModelConfig c) {
        this.invFreq = inverseFrequencies(c.headDim(), c.ropeTheta(), c.ropeScaling());
        this.headDim = c.headDim();
        this.maxSeqLen = c.maxSeqLen();
        this.interleaved = c.ropeLayout() == RopeLayout.INTERLEAVED;
        this.ggmlBase = c.ropeScaling() == null ? c.ropeTheta() : Float.NaN;
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

    /** Grown on demand, once per position for the engine's life (per forward pass the trigonometry was ~1 % of stories260K's scoring). */
    private volatile RopeTable ropeTable = RopeTable.EMPTY;

    /** {@link #ropeTable} as llama.cpp computes its factors, for {@link Numerics#LLAMA_CPP}. */
    private volatile RopeTable ggmlTable = RopeTable.EMPTY;

    /** The rotation factors of positions 0..max(pos) at least. */
    RopeTable table(int[] pos) {
        int maxPos = 0;
        for (int p : pos) maxPos = Math.max(maxPos, p);
        if (Numerics.llamaCpp() && !Float.isNaN(ggmlBase)) return ggmlTable(maxPos);
        RopeTable t = ropeTable;
        if (t.positions() > maxPos) return t;
        synchronized (this) {
            t = ropeTable;
            if (t.positions() > maxPos) return t;
            // doubling (decode adds a position at a time), but not past the model's context while inside it
            int positions = Math.max(maxPos + 1, 2 * t.positions());
            if (maxPos < maxSeqLen) positions = Math.min(positions, maxSeqLen);
            ropeTable = t = RopeTable.grow(t, invFreq, headDim, interleaved, positions);
            return t;
        }
    }

    private synchronized RopeTable ggmlTable(int maxPos) {
        RopeTable t = ggmlTable;
        if (t.positions() <= maxPos)
            ggmlTable =
                    t = RopeTable.growGgml(t, ggmlBase, headDim, interleaved, Math.max(maxPos + 1, 2 * t.positions()));
        return t;
    }

    /** Rotates every head of {@code n} rows (row t at position pos[t]) as the forward pass does. */
    public void rotate(float[] a, int n, int heads, int[] pos) {
        apply(a, n, heads, pos, table(pos));
    }

    /**
     * The transpose of {@link #rotate}: each pair turned back by its angle, with the same float factors, so
     * that a gradient through the rotation is exactly Rᵀ·dy. The table's sines are negated (cos θ, sin(−θ)):
     * the forward rotation's matrix is [[c, −s], [s, c]] on each pair, its transpose [[c, s], [−s, c]].
     */
    public void rotateBack(float[] a, int n, int heads, int[] pos) {
        RopeTable t = table(pos), back = backTable;
        if (back.positions() != t.positions()) {
            float[] negated = t.sin().clone();
            for (int i = 0; i < negated.length; i++) negated[i] = -negated[i];
            backTable = back = new RopeTable(t.cos(), negated, t.positions());
        }
        apply(a, n, heads, pos, back);
    }

    /** {@link #ropeTable} with its sines negated, for {@link #rotateBack}; rebuilt when the table grows. */
    private volatile RopeTable backTable = RopeTable.EMPTY;

    /** Pairs of neighbouring lanes swapped: the partners of interleaved RoPE pairs. */
    private static final VectorShuffle<Float> SWAP_PAIRS = VectorShuffle.fromOp(F, i -> i ^ 1);

    /**
     * Rotates every head of {@code n} rows (row t at position pos[t]) in the model's pairing layout, a
     * vector at a time where the pairs allow it (interleaved: hd a multiple of the vector length, partners by
     * swapping neighbouring lanes; rotate-half: hd/2 a multiple of it, partners a half apart), else per pair;
     * both are {@link RopeTable}'s form of the rotation, so the results are the same bits.
     */
    void apply(float[] a, int n, int heads, int[] pos, RopeTable rt) {
        if (rt == ggmlTable) ropeGgml(a, n, heads, headDim, interleaved, pos, rt);
        else rope(a, n, heads, headDim, interleaved, pos, rt);
    }

    /**
     * ggml-cpu's {@code rotate_pairs} as GCC compiles it (contracted, vectorised with {@code vfmaddsub}): the
     * partner's product with the sine rounded, the element's product with the cosine fused into the sum.
     */
    static void ropeGgml(float[] a, int n, int heads, int hd, boolean interleaved, int[] pos, RopeTable rt) {
        int half = hd / 2;
        float[] cos = rt.cos(), sin = rt.sin();
        for (int t = 0; t < n; t++) {
            int p = pos[t] * hd;
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * hd;
                for (int i = 0; i < half; i++) {
                    int j0 = interleaved ? 2 * i : i, j1 = interleaved ? j0 + 1 : j0 + half;
                    float x0 = a[base + j0], x1 = a[base + j1];
                    a[base + j0] = Math.fma(x0, cos[p + j0], x1 * sin[p + j0]);
                    a[base + j1] = Math.fma(x1, cos[p + j1], x0 * sin[p + j1]);
                }
            }
        }
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
                        v.mul(FloatVector.fromArray(F, cos, p + j))
                                .add(w.mul(FloatVector.fromArray(F, sin, p + j)))
                                .intoArray(a, base + j);
                    }
                } else if (vector) {
                    for (int j = 0; j < half; j += lanes) {
                        FloatVector v0 = FloatVector.fromArray(F, a, base + j),
                                v1 = FloatVector.fromArray(F, a, base + half + j);
                        v0.mul(FloatVector.fromArray(F, cos, p + j))
                                .add(v1.mul(FloatVector.fromArray(F, sin, p + j)))
                                .intoArray(a, base + j);
                        v1.mul(FloatVector.fromArray(F, cos, p + half + j))
                                .add(v0.mul(FloatVector.fromArray(F, sin, p + half + j)))
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
}
