package dev.llmcw.engine;

/**
 * The float steps of ggml-cpu (llama.cpp commit de3ff81, x86 with AVX2 and FMA) that {@link LlamaCppAttention}
 * repeats one lane at a time: F16 rounding, {@code ggml_v_expf}, the 8-lane sums of
 * {@code ggml_vec_soft_max_f32} and the F16 dot product {@code ggml_vec_dot_f16}. Each is written to give the
 * bits the vector code gives, so that a reference mode follows llama.cpp's own rounding.
 */
final class GgmlFloatOps {
    private GgmlFloatOps() {}

    /** x rounded to F16 and back (F16C's {@code _mm256_cvtps_ph(x, 0)}: round to nearest even). */
    static float f16(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }

    /** libm's {@code expf}: correctly rounded in glibc; the double exponential rounded to float is the same almost always. */
    static float expf(float x) {
        return (float) Math.exp(x);
    }

    /**
     * {@code ggml_v_expf} (ggml-cpu/vec.h, the AVX2 version) on one lane: e^x within 1.5 ulp by a degree-5
     * polynomial, with its own handling of large |n|; -inf gives 0.
     */
    static float vexpf(float x) {
        final float r = 0x1.8p23f;
        float z = Math.fma(x, 0x1.715476p+0f, r);
        float n = z - r;
        float b = Math.fma(-n, 0x1.7f7d1cp-20f, Math.fma(-n, 0x1.62e4p-1f, x));
        int e = Float.floatToRawIntBits(z) << 23;
        float k = Float.intBitsToFloat(e + Float.floatToRawIntBits(1f));
        float u = b * b;
        float j = Math.fma(
                Math.fma(Math.fma(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u, Math.fma(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)),
                u,
                0x1.ffffecp-1f * b);
        float absN = Math.abs(n);
        if (!(absN > 126)) return Math.fma(k, j, k);
        int g = n <= 0 ? 0x82000000 : 0;
        float s1 = Float.intBitsToFloat(g + 0x7f000000);
        if (absN > 192) return s1 * s1;
        float s2 = Float.intBitsToFloat(e - g);
        return Math.fma(s2, j, s2) * s1;
    }

    /**
     * Sum of 8 lanes as {@code ggml_vec_soft_max_f32} reduces one AVX vector: high half plus low half, then
     * {@code movehl} and {@code movehdup} pairs.
     */
    static float sum8(float[] v, int o) {
        float w0 = v[o] + v[o + 4], w1 = v[o + 1] + v[o + 5], w2 = v[o + 2] + v[o + 6], w3 = v[o + 3] + v[o + 7];
        return (w0 + w2) + (w1 + w3);
    }

    /**
     * {@code ggml_vec_dot_f16} on F16 values held as floats: blocks of 32 into four 8-lane fused accumulators,
     * reduced as {@code GGML_F32x8_REDUCE} does, the remaining elements' exact products added in double.
     */
    static float dotF16(float[] x, int xo, float[] y, int yo, int n) {
        int np = n & ~31;
        double sum = 0;
        if (np > 0) {
            float[] acc = new float[32]; // acc[j·8 + lane]
            for (int i = 0; i < np; i += 32) {
                for (int l = 0; l < 32; l++) acc[l] = Math.fma(x[xo + i + l], y[yo + i + l], acc[l]);
            }
            float[] t0 = new float[4];
            for (int l = 0; l < 8; l++) {
                float a = (acc[l] + acc[16 + l]) + (acc[8 + l] + acc[24 + l]);
                if (l < 4) t0[l] = a;
                else t0[l - 4] += a;
            }
            sum = (t0[0] + t0[1]) + (t0[2] + t0[3]);
        }
        for (int i = np; i < n; i++) sum += x[xo + i] * y[yo + i];
        return (float) sum;
    }
}
