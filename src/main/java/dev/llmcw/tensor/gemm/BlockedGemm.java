package dev.llmcw.tensor.gemm;

import static dev.llmcw.tensor.KernelSpecies.F;

import dev.llmcw.tensor.FloatRows;
import dev.llmcw.tensor.Tensor;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Blocked, register-tiled matrix product for prefill batches: y[t][r] = W[r]·x_t (+ b[r]) for a block of
 * weight rows and every token of an {@link ActivationPanel}. Any storage type: each slice of {@link #KC}
 * columns of the block's rows is converted to floats once ({@link Tensor#toFloat}, the types' vector
 * unpacking) into a small buffer and then reused by every token of the batch, so unpacking a quantized
 * weight costs once per product, not once per token.
 *
 * <p>Micro-kernel: {@link #ROWS} weight rows × {@link ActivationPanel#GROUP} tokens (two vectors, lanes along
 * tokens), twelve accumulators; per k two vector loads of the panel, six broadcasts of weights, twelve FMAs.
 * With lanes along tokens nothing is summed across lanes. Loop order per column slice: token groups outside
 * (a group's slice of the panel, GROUP·KC floats = 16 KB at AVX2, stays in L1) and row groups inside (the
 * converted slice of the block's rows, ≤ {@link #MAX_BLOCK_ROWS}·KC floats, from L2).
 *
 * <p>Order of the sums: each output is summed over k in order within a slice of KC columns (one FMA per k),
 * the slices' sums added in order, then the bias: the same blocked summation as the transposed kernel,
 * different from the dot-product kernels' lane order (results agree to float rounding, not bit for bit).
 */
public final class BlockedGemm {
    private BlockedGemm() {}

    /** Weight rows per micro-kernel tile. */
    public static final int ROWS = 6;
    /** Columns per slice: the cache block and the length of each partial sum. */
    public static final int KC = 256;
    /** Largest row block one call takes (its converted slice: 48·KC floats = 48 KB). */
    public static final int MAX_BLOCK_ROWS = 48;

    private static final int G = ActivationPanel.GROUP;
    private static final int L = F.length();

    /** A thread's buffers for {@link #multiply}: the converted weight slice and the block's sums (rows × tokens). */
    public static final class Scratch {
        private float[] w = new float[0], acc = new float[0];

        float[] weights(int size) {
            if (w.length < size) w = new float[size];
            return w;
        }

        float[] sums(int size) {
            if (acc.length < size) acc = new float[size];
            return acc;
        }
    }

    /**
     * out's row t, column r = W[r]·x_t + bias[r] for r in [r0, r0 + rows) and every token t of the panel;
     * W is {@code weight} (rows of panel.n() values), bias may be null. rows ≤ {@link #MAX_BLOCK_ROWS}.
     */
    public static void multiply(
            Tensor weight, float[] bias, int r0, int rows, ActivationPanel panel, FloatRows out, Scratch scratch) {
        if (weight.cols() != panel.n())
            throw new IllegalArgumentException(
                    "weight " + weight + " has rows of " + weight.cols() + ", activations " + panel.n());
        multiply(weight::toFloat, bias, r0, rows, panel, out, scratch);
    }

    /**
     * A weight matrix as the GEMM reads it: values [offset, offset + n) of the row-major matrix (rows of the
     * panel's n values) as floats into dst from dstOff; a call never crosses a row. {@link Tensor#toFloat} is
     * one; a compressed layer that holds its own packed form (group-quantized codes) is another.
     */
    @FunctionalInterface
    public interface WeightRows {
        void toFloat(long offset, float[] dst, int dstOff, int n);
    }

    /** {@link #multiply(Tensor, float[], int, int, ActivationPanel, FloatRows, Scratch)} over any {@link WeightRows}. */
    public static void multiply(
            WeightRows weight, float[] bias, int r0, int rows, ActivationPanel panel, FloatRows out, Scratch scratch) {
        if (rows <= 0 || rows > MAX_BLOCK_ROWS)
            throw new IllegalArgumentException("row block of " + rows + " rows, expected 1.." + MAX_BLOCK_ROWS);
        int n = panel.n(), tokens = panel.tokens(), groups = panel.groups();
        float[] y = out.data();
        int yOff = out.offset(), yStride = out.stride();
        int padRows = (rows + ROWS - 1) / ROWS * ROWS, padTokens = groups * G;
        float[] w = scratch.weights(padRows * KC), acc = scratch.sums(padRows * padTokens), xp = panel.data();
        // rows past the block stay zero in the slice buffer: their sums are computed and never stored
        Arrays.fill(w, rows * KC, padRows * KC, 0f);
        Tiles tiles = new Tiles(w, KC, xp, acc, padTokens);
        for (int kb = 0; kb < n; kb += KC) {
            int kc = Math.min(KC, n - kb);
            for (int r = 0; r < rows; r++) weight.toFloat((long) (r0 + r) * n + kb, w, r * KC, kc);
            for (int g = 0; g < groups; g++) {
                int xb = (g * n + kb) * G;
                for (int rg = 0; rg < padRows; rg += ROWS) tile(tiles, rg * KC, xb, kc, rg * padTokens + g * G, kb > 0);
            }
        }
        for (int r = 0; r < rows; r++) {
            float b = bias == null ? 0f : bias[r0 + r];
            int a = r * padTokens, o = yOff + r0 + r;
            for (int t = 0; t < tokens; t++) y[o + t * yStride] = acc[a + t] + b;
        }
    }

    /**
     * What the tiles of one {@link #multiply} share: the converted weight slice (rows ws apart), the panel and
     * the block's sums (rows accStride apart).
     */
    private record Tiles(float[] w, int ws, float[] xp, float[] acc, int accStride) {}

    /**
     * Six rows of the weight slice from w0 (kc values each) × one token group of the panel from xp[xb] (kc steps
     * of G floats): the slice's sums, into acc (row i's G tokens at a0 + i·accStride), or added to what acc holds.
     */
    private static void tile(Tiles tiles, int w0, int xb, int kc, int a0, boolean add) {
        // The row stride is read at run time on purpose: with it a compile-time constant (KC) C2 compiled this
        // loop to 40 GFLOP per CPU-second instead of 75-88 (the development machine, an L1-resident tile alone).
        float[] w = tiles.w(), xp = tiles.xp(), acc = tiles.acc();
        int ws = tiles.ws(), stride = tiles.accStride();
        int w1 = w0 + ws, w2 = w1 + ws, w3 = w2 + ws, w4 = w3 + ws, w5 = w4 + ws;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int k = 0; k < kc; k++) {
            FloatVector x0 = FloatVector.fromArray(F, xp, xb + G * k),
                    x1 = FloatVector.fromArray(F, xp, xb + G * k + L);
            FloatVector b = FloatVector.broadcast(F, w[w0 + k]);
            c00 = x0.fma(b, c00);
            c01 = x1.fma(b, c01);
            b = FloatVector.broadcast(F, w[w1 + k]);
            c10 = x0.fma(b, c10);
            c11 = x1.fma(b, c11);
            b = FloatVector.broadcast(F, w[w2 + k]);
            c20 = x0.fma(b, c20);
            c21 = x1.fma(b, c21);
            b = FloatVector.broadcast(F, w[w3 + k]);
            c30 = x0.fma(b, c30);
            c31 = x1.fma(b, c31);
            b = FloatVector.broadcast(F, w[w4 + k]);
            c40 = x0.fma(b, c40);
            c41 = x1.fma(b, c41);
            b = FloatVector.broadcast(F, w[w5 + k]);
            c50 = x0.fma(b, c50);
            c51 = x1.fma(b, c51);
        }
        int a1 = a0 + stride, a2 = a1 + stride, a3 = a2 + stride, a4 = a3 + stride, a5 = a4 + stride;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(F, acc, a0));
            c01 = c01.add(FloatVector.fromArray(F, acc, a0 + L));
            c10 = c10.add(FloatVector.fromArray(F, acc, a1));
            c11 = c11.add(FloatVector.fromArray(F, acc, a1 + L));
            c20 = c20.add(FloatVector.fromArray(F, acc, a2));
            c21 = c21.add(FloatVector.fromArray(F, acc, a2 + L));
            c30 = c30.add(FloatVector.fromArray(F, acc, a3));
            c31 = c31.add(FloatVector.fromArray(F, acc, a3 + L));
            c40 = c40.add(FloatVector.fromArray(F, acc, a4));
            c41 = c41.add(FloatVector.fromArray(F, acc, a4 + L));
            c50 = c50.add(FloatVector.fromArray(F, acc, a5));
            c51 = c51.add(FloatVector.fromArray(F, acc, a5 + L));
        }
        c00.intoArray(acc, a0);
        c01.intoArray(acc, a0 + L);
        c10.intoArray(acc, a1);
        c11.intoArray(acc, a1 + L);
        c20.intoArray(acc, a2);
        c21.intoArray(acc, a2 + L);
        c30.intoArray(acc, a3);
        c31.intoArray(acc, a3 + L);
        c40.intoArray(acc, a4);
        c41.intoArray(acc, a4 + L);
        c50.intoArray(acc, a5);
        c51.intoArray(acc, a5 + L);
    }
}
