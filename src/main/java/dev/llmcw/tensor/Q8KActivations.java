package dev.llmcw.tensor;

/**
 * Activation rows quantized to llama.cpp's Q8_K blocks of 256 ({@code quantize_row_q8_K_ref} in
 * ggml-quants.c, which its CPU backend runs before every K-quant matrix product): per block the value of
 * largest magnitude {@code max} (the first one on ties) gives {@code iscale = −127/max}, codes
 * {@code q = min(127, nearest_int(iscale·x))}, scale {@code d = 1/iscale} (so d carries max's sign, and
 * a negative max flips every code), and {@code bsums}, the sums of each 16 codes, that the K-quant kernels
 * multiply with the sub-block mins. Bit-identical to llama.cpp's for finite input (KQuantDotGoldenTest);
 * a block with a NaN or infinity gets a NaN scale so the result is NaN, where llama.cpp's would be garbage.
 */
public final class Q8KActivations {
    /** Values per block (ggml's QK_K). */
    public static final int BLOCK = DType.QK_K;
    /** Codes per entry of {@code bsums}. */
    static final int SUB = 16;

    private final int n, tokens;
    final byte[] q; // tokens × n codes
    final float[] d; // tokens × n/256 scales
    final short[] bsums; // tokens × n/16 sums of 16 codes
    /**
     * The codes as shorts, each run of 32 reordered: its 16 even codes, then its 16 odd ones (the order in which
     * the vector kernels split a 32-byte load of packed weights into shorts, see {@link KQuantVectorDots}).
     */
    final short[] evenOdd;

    private Q8KActivations(int n, int tokens) {
        this.n = n;
        this.tokens = tokens;
        this.q = new byte[n * tokens];
        this.d = new float[n / BLOCK * tokens];
        this.bsums = new short[n / SUB * tokens];
        this.evenOdd = new short[n * tokens];
    }

    /** Whether rows of {@code n} values split into whole blocks of 256. */
    public static boolean fits(int n) {
        return n > 0 && n % BLOCK == 0;
    }

    /** Quantizes {@code tokens} rows of {@code n} floats, row t at x[xOff + t·n]; n a multiple of 256. */
    public static Q8KActivations quantize(float[] x, int xOff, int n, int tokens) {
        if (!fits(n)) throw new IllegalArgumentException("Q8_K activations need rows in blocks of 256, got " + n);
        Q8KActivations a = new Q8KActivations(n, tokens);
        for (int b = 0; b < tokens * (n / BLOCK); b++) a.quantizeBlock(x, xOff + b * BLOCK, b);
        return a;
    }

    private void quantizeBlock(float[] x, int from, int block) {
        float max = 0f, amax = 0f;
        boolean finite = true;
        for (int j = 0; j < BLOCK; j++) {
            float v = x[from + j], ax = Math.abs(v);
            finite &= Float.isFinite(v);
            if (ax > amax) {
                amax = ax;
                max = v;
            }
        }
        if (!finite) {
            d[block] = Float.NaN; // codes and sums stay 0
            return;
        }
        if (amax == 0f) return; // d = 0, codes 0
        float iscale = -127f / max;
        int qOff = block * BLOCK;
        for (int j = 0; j < BLOCK; j++) q[qOff + j] = (byte) Math.min(127, nearestInt(iscale * x[from + j]));
        for (int j = 0; j < BLOCK; j++) evenOdd[qOff + (j & ~31) + (j & 1) * 16 + (j & 31) / 2] = q[qOff + j];
        for (int s = 0; s < BLOCK / SUB; s++) {
            int sum = 0;
            for (int i = 0; i < SUB; i++) sum += q[qOff + s * SUB + i];
            bsums[block * (BLOCK / SUB) + s] = (short) sum;
        }
        d[block] = 1f / iscale;
    }

    /**
     * ggml's {@code nearest_int}: adding 1.5·2^23 leaves the rounded integer (ties to even) in the low
     * mantissa bits; for |v| ≤ 2^22, which the codes (|v| ≤ 127) always are.
     */
    static int nearestInt(float v) {
        int i = Float.floatToRawIntBits(v + 12582912f);
        return (i & 0x007fffff) - 0x00400000;
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

    /** Sum of the codes 16s .. 16s+15 of row t. */
    public int bsum(int t, int s) {
        return bsums[t * (n / SUB) + s];
    }
}
