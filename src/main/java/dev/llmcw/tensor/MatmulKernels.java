package dev.llmcw.tensor;

import static dev.llmcw.tensor.KernelSpecies.F;
import static dev.llmcw.tensor.KernelSpecies.L;
import static dev.llmcw.tensor.KernelSpecies.sum;
import static dev.llmcw.tensor.VectorKernels.dot;

import jdk.incubator.vector.FloatVector;

/**
 * The float micro-kernels of batched matrix multiplication: {@link #matmulTile} (dot-product form,
 * rows × tokens register tiles) and {@link #matmulTransposed} (over a transposed weight layout, for short rows).
 */
public final class MatmulKernels {
    private MatmulKernels() {}

    /**
     * Register-blocked float micro-kernel of batched matmul: for rows r in [0, rows) of {@code wr} and
     * tokens t in [0, tokens) of {@code xr} (n floats each; a row of a KV cache or one head's slice of the
     * queries, say), y[t][r] = w_r · x_t (+ bias[biasOff + r] if bias), y's rows being {@code yr}'s.
     * Two rows × four tokens per inner loop: each loaded weight vector is used for four tokens and each
     * activation vector for two rows, so the loop is bound by FMAs rather than loads.
     */
    public static void matmulTile(
            FloatRows wr, int rows, int n, FloatRows xr, int tokens, FloatRows yr, float[] bias, int biasOff) {
        // the rows' fields into locals first: C2 then treats them as it did when they were arguments
        float[] w = wr.data(), x = xr.data(), y = yr.data();
        int wOff = wr.offset(),
                wStride = wr.stride(),
                xOff = xr.offset(),
                xStride = xr.stride(),
                yOff = yr.offset(),
                yStride = yr.stride();
        int r = 0;
        for (; r + 2 <= rows; r += 2) {
            int w0 = wOff + r * wStride, w1 = w0 + wStride;
            int t = 0;
            for (; t + 4 <= tokens; t += 4) {
                int x0 = xOff + t * xStride, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
                FloatVector c00 = FloatVector.zero(F),
                        c01 = FloatVector.zero(F),
                        c02 = FloatVector.zero(F),
                        c03 = FloatVector.zero(F);
                FloatVector c10 = FloatVector.zero(F),
                        c11 = FloatVector.zero(F),
                        c12 = FloatVector.zero(F),
                        c13 = FloatVector.zero(F);
                int i = 0;
                for (int bound = n - L; i <= bound; i += L) {
                    FloatVector a0 = FloatVector.fromArray(F, w, w0 + i);
                    FloatVector a1 = FloatVector.fromArray(F, w, w1 + i);
                    FloatVector b = FloatVector.fromArray(F, x, x0 + i);
                    c00 = a0.fma(b, c00);
                    c10 = a1.fma(b, c10);
                    b = FloatVector.fromArray(F, x, x1 + i);
                    c01 = a0.fma(b, c01);
                    c11 = a1.fma(b, c11);
                    b = FloatVector.fromArray(F, x, x2 + i);
                    c02 = a0.fma(b, c02);
                    c12 = a1.fma(b, c12);
                    b = FloatVector.fromArray(F, x, x3 + i);
                    c03 = a0.fma(b, c03);
                    c13 = a1.fma(b, c13);
                }
                float s00 = sum(c00), s01 = sum(c01);
                float s02 = sum(c02), s03 = sum(c03);
                float s10 = sum(c10), s11 = sum(c11);
                float s12 = sum(c12), s13 = sum(c13);
                for (; i < n; i++) {
                    float a0 = w[w0 + i], a1 = w[w1 + i];
                    s00 += a0 * x[x0 + i];
                    s01 += a0 * x[x1 + i];
                    s02 += a0 * x[x2 + i];
                    s03 += a0 * x[x3 + i];
                    s10 += a1 * x[x0 + i];
                    s11 += a1 * x[x1 + i];
                    s12 += a1 * x[x2 + i];
                    s13 += a1 * x[x3 + i];
                }
                float b0 = bias == null ? 0f : bias[biasOff + r], b1 = bias == null ? 0f : bias[biasOff + r + 1];
                int y0 = yOff + t * yStride + r;
                y[y0] = s00 + b0;
                y[y0 + 1] = s10 + b1;
                y[y0 + yStride] = s01 + b0;
                y[y0 + yStride + 1] = s11 + b1;
                y[y0 + 2 * yStride] = s02 + b0;
                y[y0 + 2 * yStride + 1] = s12 + b1;
                y[y0 + 3 * yStride] = s03 + b0;
                y[y0 + 3 * yStride + 1] = s13 + b1;
            }
            for (; t < tokens; t++) {
                float b0 = bias == null ? 0f : bias[biasOff + r], b1 = bias == null ? 0f : bias[biasOff + r + 1];
                y[yOff + t * yStride + r] = dot(w, w0, x, xOff + t * xStride, n) + b0;
                y[yOff + t * yStride + r + 1] = dot(w, w1, x, xOff + t * xStride, n) + b1;
            }
        }
        for (; r < rows; r++) {
            float b0 = bias == null ? 0f : bias[biasOff + r];
            for (int t = 0; t < tokens; t++)
                y[yOff + t * yStride + r] = dot(w, wOff + r * wStride, x, xOff + t * xStride, n) + b0;
        }
    }

    /** Inputs per partial sum of {@link #matmulTransposed}. */
    static final int K_BLOCK = 32;

    /** Rows per step of {@link #matmulTransposed}: the transposed layout pads the row count to a multiple of this. */
    public static int transposedRowStep() {
        return 2 * L;
    }

    /**
     * Batched matmul over transposed float weights, for short rows: W in groups of S =
     * {@link #transposedRowStep()} rows, each group's columns one after another,
     * wt[(r / S · n + k) · S + r mod S] = W[r][k] (rows padded with zeros to whole groups; a group's weights
     * are read in order, and the kernel's loads are indexed by k with a constant stride, so C2 drops their
     * bounds checks: see {@link TransposedWeights}), and for row groups [r0, r1) (multiples of S, r1 ≤ the
     * padded rows) and every token t < tokens, y[t][r] = Σ_k x[xOff + t*n + k]·W[r][k] (+ bias[r]) for r < rows,
     * y's rows being {@code yr}'s.
     * Lanes run along the output rows and each x value is broadcast, so no lane sums are needed: the
     * dot-product form ({@link #matmulTile}) pays a tree reduction per output, which on 64-wide rows
     * (stories260K) is as much work as the products themselves (measured 2.2–3.1× faster here at in ≤ 172,
     * no faster from in ≈ 576 on). Sums run over k in order in blocks of {@link #K_BLOCK}, one FMA per step.
     */
    public static void matmulTransposed(
            TransposedWeights tw, int r0, int r1, float[] x, int xOff, int tokens, FloatRows yr) {
        float[] wt = tw.data(), bias = tw.bias(), y = yr.data();
        int rows = tw.rows(), n = tw.n(), biasOff = 0, yOff = yr.offset(), yStride = yr.stride();
        // Accumulators leave through this buffer: a vector handed to a method that is not inlined is
        // boxed, which made an earlier version with a vector-argument store helper slower than the tiled kernel.
        float[] acc = new float[12 * L];
        Tiles tiles = new Tiles(wt, n, acc, y, yStride, bias);
        // One call per tile: a call with all the loops ran thousands of k-steps per call, so C2 compiled it on
        // stack replacement, twice (at two loops) and into 16–69 KB of code, before its normal compile
        // (0.7 CPU-s of C2 in a cold PIQA run on stories260K); a tile's 32–172 k-steps per call leave it to
        // one normal compile.
        // The last tokens mod 6: three or more go through tile6 from a zero-padded copy (tile1 waits an FMA's
        // latency per k-step, so three tokens alone cost more than a full tile); each token's sums are the
        // same operations in either tile, so the results do not depend on the route.
        int whole = tokens / 6 * 6, rest = tokens - whole;
        float[] tail = null;
        if (rest >= 3) {
            tail = new float[6 * n];
            System.arraycopy(x, xOff + whole * n, tail, 0, rest * n);
        }
        for (int r = r0; r < r1; r += 2 * L) {
            boolean direct = rows - r >= 2 * L;
            for (int t = 0; t < whole; t += 6) {
                if (direct) {
                    tile6(tiles, r, x, xOff + t * n, true, yOff + t * yStride + r, biasOff + r);
                } else {
                    tile6(tiles, r, x, xOff + t * n, false, 0, 0);
                    storeRows(acc, 6, y, yOff + t * yStride + r, yStride, rows - r, bias, biasOff + r);
                }
            }
            if (tail != null) {
                tile6(tiles, r, tail, 0, false, 0, 0);
                storeRows(acc, rest, y, yOff + whole * yStride + r, yStride, rows - r, bias, biasOff + r);
            } else {
                for (int t = whole; t < tokens; t++) {
                    tile1(wt, n, r, x, xOff + t * n, acc);
                    storeRows(acc, 1, y, yOff + t * yStride + r, yStride, rows - r, bias, biasOff + r);
                }
            }
        }
    }

    /** What {@link #tile6}'s calls in one {@link #matmulTransposed} share: the weights, the sums' buffer, the output and the bias. */
    private record Tiles(float[] wt, int n, float[] acc, float[] y, int yStride, float[] bias) {}

    /**
     * {@link #matmulTransposed}'s six tokens (rows of x from x0, n apart) × two row vectors from r: twelve
     * accumulators, 2 weight loads and 6 broadcasts per 12 FMAs (12–23 % faster than four tokens on the
     * development machine's 16 registers); the sums go to acc, token j's at 2L·j, or, when y is given (six
     * tokens, two whole row vectors: toY), the last k-block's sums (+ bias) straight to y[yo + j·yStride ..]: the
     * same additions as through acc and {@link #storeRows}, without its copy (≈ 1 % of stories260K's scoring).
     */
    private static void tile6(Tiles tiles, int r, float[] x, int x0, boolean toY, int yo, int bo) {
        // the shared parts into locals first, as the arguments they were (y and bias null unless toY)
        float[] wt = tiles.wt(), acc = tiles.acc(), y = toY ? tiles.y() : null, bias = toY ? tiles.bias() : null;
        int n = tiles.n(), yStride = toY ? tiles.yStride() : 0;
        int x1 = x0 + n,
                x2 = x1 + n,
                x3 = x2 + n,
                x4 = x3 + n,
                x5 = x4 + n,
                g = r * n; // the group's weights start at r·n
        // k in blocks of K_BLOCK, each summed from zero and then added to the total: sequential
        // float sums over all of a 172-wide row drifted PIQA's longest items to the edge of the
        // lm-eval reference tolerance; blocks keep the error near that of the pairwise dot kernel.
        for (int kb = 0; kb < n; kb += K_BLOCK) {
            int kEnd = Math.min(n, kb + K_BLOCK);
            FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
            FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
            for (int k = kb; k < kEnd; k++) {
                FloatVector w0 = FloatVector.fromArray(F, wt, g + 2 * L * k),
                        w1 = FloatVector.fromArray(F, wt, g + 2 * L * k + L);
                FloatVector b = FloatVector.broadcast(F, x[x0 + k]);
                c00 = w0.fma(b, c00);
                c01 = w1.fma(b, c01);
                b = FloatVector.broadcast(F, x[x1 + k]);
                c10 = w0.fma(b, c10);
                c11 = w1.fma(b, c11);
                b = FloatVector.broadcast(F, x[x2 + k]);
                c20 = w0.fma(b, c20);
                c21 = w1.fma(b, c21);
                b = FloatVector.broadcast(F, x[x3 + k]);
                c30 = w0.fma(b, c30);
                c31 = w1.fma(b, c31);
                b = FloatVector.broadcast(F, x[x4 + k]);
                c40 = w0.fma(b, c40);
                c41 = w1.fma(b, c41);
                b = FloatVector.broadcast(F, x[x5 + k]);
                c50 = w0.fma(b, c50);
                c51 = w1.fma(b, c51);
            }
            if (kb > 0) {
                c00 = c00.add(FloatVector.fromArray(F, acc, 0));
                c01 = c01.add(FloatVector.fromArray(F, acc, L));
                c10 = c10.add(FloatVector.fromArray(F, acc, 2 * L));
                c11 = c11.add(FloatVector.fromArray(F, acc, 3 * L));
                c20 = c20.add(FloatVector.fromArray(F, acc, 4 * L));
                c21 = c21.add(FloatVector.fromArray(F, acc, 5 * L));
                c30 = c30.add(FloatVector.fromArray(F, acc, 6 * L));
                c31 = c31.add(FloatVector.fromArray(F, acc, 7 * L));
                c40 = c40.add(FloatVector.fromArray(F, acc, 8 * L));
                c41 = c41.add(FloatVector.fromArray(F, acc, 9 * L));
                c50 = c50.add(FloatVector.fromArray(F, acc, 10 * L));
                c51 = c51.add(FloatVector.fromArray(F, acc, 11 * L));
            }
            if (y != null && kEnd == n) {
                if (bias != null) {
                    FloatVector d0 = FloatVector.fromArray(F, bias, bo), d1 = FloatVector.fromArray(F, bias, bo + L);
                    c00 = c00.add(d0);
                    c01 = c01.add(d1);
                    c10 = c10.add(d0);
                    c11 = c11.add(d1);
                    c20 = c20.add(d0);
                    c21 = c21.add(d1);
                    c30 = c30.add(d0);
                    c31 = c31.add(d1);
                    c40 = c40.add(d0);
                    c41 = c41.add(d1);
                    c50 = c50.add(d0);
                    c51 = c51.add(d1);
                }
                c00.intoArray(y, yo);
                c01.intoArray(y, yo + L);
                c10.intoArray(y, yo + yStride);
                c11.intoArray(y, yo + yStride + L);
                c20.intoArray(y, yo + 2 * yStride);
                c21.intoArray(y, yo + 2 * yStride + L);
                c30.intoArray(y, yo + 3 * yStride);
                c31.intoArray(y, yo + 3 * yStride + L);
                c40.intoArray(y, yo + 4 * yStride);
                c41.intoArray(y, yo + 4 * yStride + L);
                c50.intoArray(y, yo + 5 * yStride);
                c51.intoArray(y, yo + 5 * yStride + L);
                return;
            }
            c00.intoArray(acc, 0);
            c01.intoArray(acc, L);
            c10.intoArray(acc, 2 * L);
            c11.intoArray(acc, 3 * L);
            c20.intoArray(acc, 4 * L);
            c21.intoArray(acc, 5 * L);
            c30.intoArray(acc, 6 * L);
            c31.intoArray(acc, 7 * L);
            c40.intoArray(acc, 8 * L);
            c41.intoArray(acc, 9 * L);
            c50.intoArray(acc, 10 * L);
            c51.intoArray(acc, 11 * L);
        }
    }

    /** {@link #tile6} for one token (the batch's last tokens mod 6). */
    private static void tile1(float[] wt, int n, int r, float[] x, int x0, float[] acc) {
        int g = r * n;
        for (int kb = 0; kb < n; kb += K_BLOCK) {
            int kEnd = Math.min(n, kb + K_BLOCK);
            FloatVector c0 = FloatVector.zero(F), c1 = c0;
            for (int k = kb; k < kEnd; k++) {
                FloatVector b = FloatVector.broadcast(F, x[x0 + k]);
                c0 = FloatVector.fromArray(F, wt, g + 2 * L * k).fma(b, c0);
                c1 = FloatVector.fromArray(F, wt, g + 2 * L * k + L).fma(b, c1);
            }
            if (kb > 0) {
                c0 = c0.add(FloatVector.fromArray(F, acc, 0));
                c1 = c1.add(FloatVector.fromArray(F, acc, L));
            }
            c0.intoArray(acc, 0);
            c1.intoArray(acc, L);
        }
    }

    /** Token j's 2L row values acc[2L·j ..] into y[off + j·yStride ..] (+ bias), the first {@code left} of them. */
    private static void storeRows(
            float[] acc, int tokens, float[] y, int off, int yStride, int left, float[] bias, int bo) {
        for (int j = 0; j < tokens; j++) {
            int yo = off + j * yStride, ao = 2 * L * j;
            if (left >= 2 * L) {
                FloatVector a = FloatVector.fromArray(F, acc, ao), b = FloatVector.fromArray(F, acc, ao + L);
                if (bias != null) {
                    a = a.add(FloatVector.fromArray(F, bias, bo));
                    b = b.add(FloatVector.fromArray(F, bias, bo + L));
                }
                a.intoArray(y, yo);
                b.intoArray(y, yo + L);
            } else {
                for (int i = 0; i < left; i++) y[yo + i] = acc[ao + i] + (bias == null ? 0f : bias[bo + i]);
            }
        }
    }
}
