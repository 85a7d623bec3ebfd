package dev.llmcw.tensor;

/**
 * Activation rows quantized to Q8 blocks of 32 for the integer dot kernels of Q8_0 and Q4_0 weights, as
 * llama.cpp's {@code quantize_row_q8_0}: per block d = max|x|/127 and q = rint(x/d) in [−127, 127]. The
 * scale stays a float (llama.cpp rounds it to FP16; an activation costs nothing to keep exact). A block
 * with a non-finite value gets a NaN scale, so a NaN or infinity in x still reaches the result as NaN
 * instead of vanishing into a zero code.
 */
public final class Q8Activations {
    /** Values per block, the same 32 as the Q8_0 and Q4_0 weight blocks. */
    public static final int BLOCK = 32;

    /**
     * Whether decode-sized batches of Q8_0/Q4_0 layers take the integer path (system property
     * {@code workbench.intdot}, default true; settable at run time so a benchmark can compare both paths).
     */
    private static volatile boolean enabled = !"false"
            .equalsIgnoreCase(System.getProperty("workbench.intdot", "true").trim());
    /** Largest batch that takes the integer path (property {@code workbench.intdot.maxBatch}, default 3); prefill stays float. */
    public static final int MAX_BATCH = Integer.getInteger("workbench.intdot.maxBatch", 3);

    private final int n, tokens;
    final byte[] q; // tokens × n codes
    final short[] s; // the same codes as shorts: the kernels multiply in shorts, widened here once per product
    final short[] evenOdd; // the shorts of each chunk of 2·SL codes reordered: its even codes, then its odd ones
    final float[] d; // tokens × n/32 scales
    /** Q8_1's s per block, d·Σ codes (what Q5_1's mins multiply), made on first use: only Q5_1 rows need it. */
    private volatile float[] sums;
    /**
     * Per block, for Q4_0's nibbles (see IntegerDotKernels): codes 0..15 as shorts, then z_j = x_{j+16} − 16·x_j
     * for j = 0..15, so that one multiply by the whole byte q = lo + 16·hi and one by hi give lo·x_j + hi·x_{j+16}.
     */
    short[] nibbleForm;
    /**
     * Per block, IntegerDotKernels.IL ints: lane k holds −8 · Σ (x_j + x_{j+16}) over the j of 0..15 whose products
     * Q4_0's kernel sums into int lane k, i.e. the −8 offset of its nibbles, taken out of the loop exactly.
     */
    int[] q4Offset;
    /**
     * Whether {@link #nibbleForm} and {@link #q4Offset} are made: on the first Q4_0 product only (Q8_0 never
     * reads them, and making them for every product cost 0.9 µs of a 2.9 µs quantization of 576 values).
     */
    private volatile boolean nibblesMade;

    private Q8Activations(int n, int tokens) {
        this.n = n;
        this.tokens = tokens;
        this.q = new byte[n * tokens];
        this.s = new short[n * tokens];
        this.evenOdd = new short[n * tokens];
        this.d = new float[n / BLOCK * tokens];
    }

    public static boolean enabled() {
        return enabled;
    }

    public static void setEnabled(boolean on) {
        enabled = on;
    }

    /** Whether a batch of {@code batch} rows of {@code n} values takes the integer path. */
    public static boolean useFor(int batch, int n) {
        return enabled && batch <= MAX_BATCH && fits(n);
    }

    /** Whether rows of {@code n} values split into whole blocks (the integer kernels need that). */
    public static boolean fits(int n) {
        return n > 0 && n % BLOCK == 0;
    }

    /** Quantizes {@code tokens} rows of {@code n} floats, row t at x[xOff + t·n]; n a multiple of 32. */
    public static Q8Activations quantize(float[] x, int xOff, int n, int tokens) {
        if (!fits(n)) throw new IllegalArgumentException("Q8 activations need rows in blocks of 32, got " + n);
        Q8Activations a = new Q8Activations(n, tokens);
        for (int b = 0; b < tokens * (n / BLOCK); b++) a.quantizeBlock(x, xOff + b * BLOCK, b);
        return a;
    }

    private void quantizeBlock(float[] x, int from, int block) {
        float amax = 0f;
        for (int i = 0; i < BLOCK; i++) amax = Math.max(amax, Math.abs(x[from + i]));
        int qOff = block * BLOCK;
        if (!Float.isFinite(amax)) {
            d[block] = Float.NaN; // codes stay 0
            return;
        }
        float scale = amax / 127f, inv = scale == 0f ? 0f : 1f / scale;
        d[block] = scale;
        for (int i = 0; i < BLOCK; i++) {
            int v = (int) Math.rint(x[from + i] * inv);
            q[qOff + i] = (byte) Math.max(-127, Math.min(127, v));
            s[qOff + i] = q[qOff + i];
            evenOdd[qOff + evenOddIndex(i)] = q[qOff + i];
        }
    }

    /**
     * Makes {@link #nibbleForm} and {@link #q4Offset} once, for every row; called by Q4_0's kernels before they
     * read them. Idempotent and safe from several threads of a region (the first one makes them, the volatile
     * flag publishes them).
     */
    void ensureNibbleForm() {
        if (!nibblesMade) makeNibbleForm(); // the rare path out of line: the kernels inline only this check
    }

    private synchronized void makeNibbleForm() {
        if (nibblesMade) return;
        int lanes = IntegerDotKernels.IL, sl = IntegerDotKernels.SL, blocks = n / BLOCK * tokens;
        short[] form = new short[n * tokens];
        int[] offset = new int[blocks * lanes];
        for (int block = 0; block < blocks; block++) {
            int qOff = block * BLOCK;
            for (int j = 0; j < BLOCK / 2; j++) {
                int lo = q[qOff + j], hi = q[qOff + j + BLOCK / 2];
                form[qOff + j] = (short) lo;
                form[qOff + j + BLOCK / 2] = (short) (hi - 16 * lo);
                offset[block * lanes + (j % sl) / 2] -= 8 * (lo + hi);
            }
        }
        nibbleForm = form;
        q4Offset = offset;
        nibblesMade = true;
    }

    /**
     * Where code i of a block sits in {@link #evenOdd}: Q8_0 weights are loaded 2·SL bytes at a time as SL
     * shorts, whose low bytes are the chunk's even codes and high bytes its odd ones; the activations are
     * laid out to match, so neither side needs a shuffle.
     */
    static int evenOddIndex(int i) {
        int chunk = 2 * IntegerDotKernels.SL, r = i % chunk;
        return i - r + (r % 2) * (chunk / 2) + r / 2;
    }

    /**
     * Activations quantized elsewhere (llama.cpp's {@code quantize_row_q8_0_ref} / {@code _q8_1_ref} in the
     * golden tests): {@code tokens} rows of {@code n} codes, a scale per block and, for Q8_1, the block sums
     * {@code s} as given (llama.cpp rounds them to F16 on their own; null: d·Σ codes).
     */
    public static Q8Activations of(int n, int tokens, byte[] codes, float[] scales, float[] sums) {
        if (!fits(n) || codes.length != n * tokens || scales.length != n / BLOCK * tokens)
            throw new IllegalArgumentException("codes and scales do not match " + tokens + " rows of " + n);
        Q8Activations a = new Q8Activations(n, tokens);
        for (int i = 0; i < codes.length; i++) {
            a.q[i] = codes[i];
            a.s[i] = codes[i];
            a.evenOdd[i - i % BLOCK + evenOddIndex(i % BLOCK)] = codes[i];
        }
        System.arraycopy(scales, 0, a.d, 0, scales.length);
        if (sums != null) a.sums = sums.clone();
        return a;
    }

    /** Q8_1's s of every block (row-major like {@link #d}): d·(Σ of its 32 codes), in F32. */
    float[] blockSums() {
        float[] s = sums;
        if (s == null) {
            s = new float[d.length];
            for (int b = 0; b < d.length; b++) {
                int sum = 0;
                for (int i = 0; i < BLOCK; i++) sum += q[b * BLOCK + i];
                s[b] = sum * d[b];
            }
            sums = s; // racing threads compute equal arrays
        }
        return s;
    }

    /** Q8_1's s of block b of row t (see {@link #blockSums}). */
    public float blockSum(int t, int b) {
        return blockSums()[t * (n / BLOCK) + b];
    }

    /** Values per row. */
    public int n() {
        return n;
    }

    public int tokens() {
        return tokens;
    }

    /** Code i of row t. */
    public byte code(int t, int i) {
        return q[t * n + i];
    }

    /** Scale of block b of row t. */
    public float scale(int t, int b) {
        return d[t * (n / BLOCK) + b];
    }
}
