package dev.llmcw.model.gguf;

import dev.llmcw.tensor.Half;

/**
 * ggml's reference quantisers (quantize_row_q8_0_ref, quantize_row_q4_0_ref in ggml-quants.c),
 * reproduced operation for operation in float arithmetic so the bytes match llama.cpp's.
 */
public final class GgmlQuant {
    public static final int QK = 32;

    private GgmlQuant() {}

    /** Q8_0: d = amax/127, q = roundf(x * (1/d)); 34 bytes per 32 values. */
    public static void quantizeQ8_0(float[] x, int off, int n, byte[] out, int outOff) {
        if (n % QK != 0) throw new IllegalArgumentException("Q8_0 needs a multiple of 32 values, got " + n);
        for (int b = 0; b < n / QK; b++) {
            int base = off + b * QK, o = outOff + b * 34;
            float amax = 0f;
            for (int j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[base + j]));
            float d = amax / 127f;
            float id = d != 0f ? 1.0f / d : 0f;
            putF16(out, o, d);
            for (int j = 0; j < QK; j++) out[o + 2 + j] = (byte) roundf(x[base + j] * id);
        }
    }

    /**
     * Q4_0: d = (the value of largest magnitude, with its sign) / -8, q = min(15, (int8)(x/d + 8.5));
     * 18 bytes per 32 values, element j in the low nibble of byte j and element j+16 in its high nibble.
     */
    public static void quantizeQ4_0(float[] x, int off, int n, byte[] out, int outOff) {
        if (n % QK != 0) throw new IllegalArgumentException("Q4_0 needs a multiple of 32 values, got " + n);
        for (int b = 0; b < n / QK; b++) {
            int base = off + b * QK, o = outOff + b * 18;
            float amax = 0f, max = 0f;
            for (int j = 0; j < QK; j++) {
                float v = x[base + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float id = d != 0f ? 1.0f / d : 0f;
            putF16(out, o, d);
            for (int j = 0; j < QK / 2; j++) {
                float x0 = x[base + j] * id, x1 = x[base + QK / 2 + j] * id;
                int q0 = Math.min(15, (byte) (int) (x0 + 8.5f)), q1 = Math.min(15, (byte) (int) (x1 + 8.5f));
                out[o + 2 + j] = (byte) (q0 | (q1 << 4));
            }
        }
    }

    /** C's roundf: halfway cases away from zero (Math.round would send -2.5 to -2). */
    static int roundf(float v) {
        int t = (int) v;
        float frac = v - t;
        if (frac >= 0.5f) t++;
        else if (frac <= -0.5f) t--;
        return t;
    }

    private static void putF16(byte[] out, int o, float v) {
        short h = Half.floatToF16(v);
        out[o] = (byte) h;
        out[o + 1] = (byte) (h >> 8);
    }
}
