package dev.llmcw.tensor.gemm;

import static dev.llmcw.tensor.KernelSpecies.F;

import java.util.Arrays;

/**
 * The activations of one batched product (tokens × n, row-major as the engine holds them) packed once for
 * {@link BlockedGemm}: in groups of {@link #GROUP} tokens, each group k-major, data[(g·n + k)·GROUP + j] =
 * x[token g·GROUP + j][k], tokens past the batch zero. The micro-kernel then loads a group's values at one k
 * as whole vectors (lanes along tokens) with a constant stride, so it needs no lane sums and C2 drops the
 * bounds checks. Packing costs one scalar move per activation, against out FMAs per activation in the product.
 */
public final class ActivationPanel {
    /** Tokens per group: two float vectors, the micro-kernel's width. */
    public static final int GROUP = 2 * F.length();

    private final float[] data;
    private final int n, tokens, groups;

    /** An empty panel for {@code tokens} rows of {@code n} values; fill it with {@link #packGroup} (any thread, any order). */
    public ActivationPanel(int n, int tokens) {
        this(n, tokens, null);
    }

    /**
     * As {@link #ActivationPanel(int, int)} over {@code reuse} when it is large enough (a caller's buffer kept
     * between products: a prefill packs four panels per layer, up to a few MB each); every group's cells are
     * overwritten by {@link #packGroup}, padding included.
     */
    public ActivationPanel(int n, int tokens, float[] reuse) {
        if (n <= 0 || tokens <= 0)
            throw new IllegalArgumentException("panel needs n > 0 and tokens > 0, got " + n + ", " + tokens);
        this.n = n;
        this.tokens = tokens;
        this.groups = (tokens + GROUP - 1) / GROUP;
        int size = Math.multiplyExact(groups * GROUP, n);
        this.data = reuse != null && reuse.length >= size ? reuse : new float[size];
    }

    /** The panel of x's {@code tokens} rows of n floats from xOff, packed on this thread. */
    public static ActivationPanel pack(float[] x, int xOff, int n, int tokens) {
        ActivationPanel p = new ActivationPanel(n, tokens);
        for (int g = 0; g < p.groups; g++) p.packGroup(x, xOff, g);
        return p;
    }

    /** Packs token group g from x (rows of n floats from xOff); groups are independent, so threads may share the work. */
    public void packGroup(float[] x, int xOff, int g) {
        int base = g * n * GROUP, first = g * GROUP, count = Math.min(GROUP, tokens - first);
        for (int j = 0; j < count; j++) {
            int src = xOff + (first + j) * n;
            for (int k = 0; k < n; k++) data[base + k * GROUP + j] = x[src + k];
        }
        if (count < GROUP) {
            for (int k = 0; k < n; k++) Arrays.fill(data, base + k * GROUP + count, base + (k + 1) * GROUP, 0f);
        }
    }

    /** The packed values (possibly longer than the panel: a reused buffer). */
    public float[] data() {
        return data;
    }

    public int n() {
        return n;
    }

    public int tokens() {
        return tokens;
    }

    /** Token groups, the last one padded with zero tokens. */
    public int groups() {
        return groups;
    }
}
