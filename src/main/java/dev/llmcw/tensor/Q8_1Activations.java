package dev.llmcw.tensor;

/**
 * Activation rows in llama.cpp's Q8_1 form ({@code quantize_row_q8_1_ref}), the activations of Q4_1 and Q5_1
 * weights ({@code type_traits_cpu[...].vec_dot_type}): the Q8 blocks of 32 of {@link Q8Activations} (the same
 * codes and scale d, so one quantization serves both forms) plus, per block, s = d·Σq. A weight block with an
 * offset m (value = d_w·code + m) then needs no pass over the activations for its m·Σx term: it is m·s. As
 * with d, s stays a float (llama.cpp rounds both to FP16); a block whose scale is NaN (non-finite input) has a
 * NaN s too.
 */
public final class Q8_1Activations {
    private final Q8Activations q8;
    final float[] s; // tokens × n/32 values d·Σq

    private Q8_1Activations(Q8Activations q8, float[] s) {
        this.q8 = q8;
        this.s = s;
    }

    /** Quantizes {@code tokens} rows of {@code n} floats, row t at x[xOff + t·n]; n a multiple of 32. */
    public static Q8_1Activations quantize(float[] x, int xOff, int n, int tokens) {
        return of(Q8Activations.quantize(x, xOff, n, tokens));
    }

    /** The Q8_1 form of already quantized rows: their codes and scales, and the block sums computed here. */
    public static Q8_1Activations of(Q8Activations q8) {
        int blocks = q8.n() / Q8Activations.BLOCK * q8.tokens();
        float[] s = new float[blocks];
        for (int b = 0; b < blocks; b++) {
            int sum = 0;
            for (int i = 0; i < Q8Activations.BLOCK; i++) sum += q8.q[b * Q8Activations.BLOCK + i];
            s[b] = q8.d[b] * sum; // int to float exact (|sum| ≤ 32·127), one rounding as llama.cpp's sum*d
        }
        return new Q8_1Activations(q8, s);
    }

    /** The Q8 blocks (codes and scales) these rows share with the Q8_0 form. */
    public Q8Activations q8() {
        return q8;
    }

    /** Values per row. */
    public int n() {
        return q8.n();
    }

    public int tokens() {
        return q8.tokens();
    }

    /** Code i of row t. */
    public byte code(int t, int i) {
        return q8.code(t, i);
    }

    /** Scale d of block b of row t. */
    public float scale(int t, int b) {
        return q8.scale(t, b);
    }

    /** d·Σq of block b of row t. */
    public float blockSum(int t, int b) {
        return s[t * (n() / Q8Activations.BLOCK) + b];
    }
}
