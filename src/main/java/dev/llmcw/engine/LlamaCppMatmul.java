package dev.llmcw.engine;

import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.Parallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * W·x for Q8_0, Q5_0 and F16 weights as llama.cpp's CPU backend computes it (commit de3ff81, AVX2, no repacking
 * for these types). F16: the activations rounded to F16, then llamafile's tinyBLAS where rows are whole vectors of
 * 8 (one 8-lane fused accumulator per output, summed as {@code hsum}), else {@code ggml_vec_dot_f16}.
 * Q8_0 and Q5_0: every activation row quantized by {@code quantize_row_q8_0}'s AVX2 code (scale max|x|/127 stored
 * as F16, codes rint(x·127/max)), and per output {@code ggml_vec_dot_q8_0_q8_0} / {@code ggml_vec_dot_q5_0_q8_0}:
 * per block eight integer lanes of four products each, each lane accumulated as fma(d_w·d_x, lane, acc), the
 * eight accumulators summed as {@code hsum_float_8} does. llamafile's tinyBLAS, which llama.cpp takes for
 * prefill batches of these types, does the same arithmetic. Used only under {@link Numerics#LLAMA_CPP}; scalar.
 */
final class LlamaCppMatmul {
    private LlamaCppMatmul() {}

    private static final int QK = 32;
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static boolean handles(Tensor w) {
        if (w.rank() != 2) return false;
        return w.dtype() == DType.F16 || (w.dtype() == DType.Q8_0 || w.dtype() == DType.Q5_0) && w.cols() % QK == 0;
    }

    /** Activations quantized to Q8_0: codes per row, one F16 scale (as float) per block. */
    record Q8Rows(byte[] q, float[] d, int n) {}

    /** {@code quantize_row_q8_0} (ggml-cpu/arch/x86/quants.c, AVX2) on {@code rows} rows of n floats. */
    static Q8Rows quantize(float[] x, int xOff, int n, int rows) {
        byte[] q = new byte[rows * n];
        float[] d = new float[rows * n / QK];
        for (int b = 0; b < rows * n / QK; b++) {
            int o = xOff + b * QK;
            float max = 0;
            for (int i = 0; i < QK; i++) max = Math.max(max, Math.abs(x[o + i]));
            d[b] = GgmlFloatOps.f16(max / 127f);
            float id = max != 0f ? 127f / max : 0f;
            for (int i = 0; i < QK; i++) q[b * QK + i] = (byte) (int) Math.rint(x[o + i] * id);
        }
        return new Q8Rows(q, d, n);
    }

    /** y[t·out + o] = (W·x_t)_o (+ bias) for the batch's rows. */
    static void forward(Tensor w, float[] bias, float[] x, int xOff, float[] y, int yOff, int batch) {
        if (w.dtype() == DType.F16) {
            forwardF16(w, bias, x, xOff, y, yOff, batch);
            return;
        }
        int in = w.cols(), out = w.rows(), nb = in / QK;
        Q8Rows a = quantize(x, xOff, in, batch);
        long rowBytes = (long) nb * w.dtype().blockBytes();
        MemorySegment seg = w.segment();
        boolean q5 = w.dtype() == DType.Q5_0;
        Parallel.forRange(0, out, Math.max(1, 16384 / in), o -> {
            byte[] wq = new byte[in];
            float[] wd = new float[nb];
            for (int b = 0; b < nb; b++) {
                long at = o * rowBytes + (long) b * w.dtype().blockBytes();
                wd[b] = Float.float16ToFloat(seg.get(F16, at));
                if (q5) decodeQ5_0(seg, at, wq, b * QK);
                else for (int i = 0; i < QK; i++) wq[b * QK + i] = seg.get(ValueLayout.JAVA_BYTE, at + 2 + i);
            }
            for (int t = 0; t < batch; t++) {
                float v = dot(wq, wd, a, t, nb);
                y[yOff + t * out + o] = bias == null ? v : v + bias[o];
            }
        });
    }

    private static void forwardF16(Tensor w, float[] bias, float[] x, int xOff, float[] y, int yOff, int batch) {
        int in = w.cols(), out = w.rows();
        float[] xh = new float[batch * in];
        for (int i = 0; i < xh.length; i++) xh[i] = GgmlFloatOps.f16(x[xOff + i]);
        Parallel.forRange(0, out, Math.max(1, 16384 / in), o -> {
            float[] row = new float[in];
            w.toFloat((long) o * in, row, 0, in);
            for (int t = 0; t < batch; t++) {
                float v = in % 8 == 0 ? tinyBlasDot(row, xh, t * in, in) : GgmlFloatOps.dotF16(row, 0, xh, t * in, in);
                y[yOff + t * out + o] = bias == null ? v : v + bias[o];
            }
        });
    }

    /** llamafile's tinyBLAS (AVX2) for one output: one 8-lane fused accumulator over the row, then {@code hsum}. */
    static float tinyBlasDot(float[] a, float[] b, int bOff, int n) {
        float[] acc = new float[8];
        for (int i = 0; i < n; i += 8) {
            for (int l = 0; l < 8; l++) acc[l] = Math.fma(a[i + l], b[bOff + i + l], acc[l]);
        }
        return GgmlFloatOps.sum8(acc, 0);
    }

    /** One output of {@code ggml_vec_dot_q8_0_q8_0} (Q5_0 weights decoded to the same signed codes). */
    static float dot(byte[] wq, float[] wd, Q8Rows a, int t, int nb) {
        float[] acc = new float[8];
        int base = t * a.n();
        for (int b = 0; b < nb; b++) {
            float d = wd[b] * a.d()[t * nb + b];
            for (int l = 0; l < 8; l++) {
                int i = b * QK + 4 * l, s = 0;
                for (int k = 0; k < 4; k++) s += wq[i + k] * a.q()[base + i + k];
                acc[l] = Math.fma(d, (float) s, acc[l]);
            }
        }
        return GgmlFloatOps.sum8(acc, 0);
    }

    /** Q5_0's 32 values of the block at {@code at} as signed codes q − 16 (the order of dequantize_row_q5_0). */
    private static void decodeQ5_0(MemorySegment seg, long at, byte[] wq, int o) {
        int qh = seg.get(U32, at + 2);
        for (int j = 0; j < QK / 2; j++) {
            int b = seg.get(ValueLayout.JAVA_BYTE, at + 6 + j) & 0xFF;
            int h0 = ((qh >>> j) << 4) & 0x10, h1 = (qh >>> (j + 12)) & 0x10;
            wq[o + j] = (byte) (((b & 0x0F) | h0) - 16);
            wq[o + j + 16] = (byte) (((b >>> 4) | h1) - 16);
        }
    }
}
