package dev.llmcw.compress.quant;

import dev.llmcw.tensor.Half;
import dev.llmcw.tensor.KernelSpecies;
import dev.llmcw.util.Parallel;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Uniform scalar quantisation grid with one scale (and zero point) per row and group of
 * {@code groupSize} columns. Asymmetric (GPTQ/RTN convention): {@code scale = (max−min)/(2^b−1)} over a
 * range widened to include 0, {@code zero = round(−min/scale)}, {@code q = clamp(round(w/scale)+zero,
 * 0, 2^b−1)}, {@code ŵ = scale·(q−zero)}. Symmetric: {@code scale = 2·max|w|/(2^b−1)}, zero fixed at
 * 2^(b−1) (not stored).
 *
 * <p>Bits per weight: asymmetric {@code b + (16 + b)/g} (FP16 scale and a b-bit zero per group),
 * symmetric {@code b + 16/g}.
 */
public final class UniformGrid {
    private final int rows, cols, bits, groupSize, groups;
    private final boolean symmetric;
    private final float[] scales; // rows × groups
    private final int[] zeros; // rows × groups

    public UniformGrid(int rows, int cols, int bits, int groupSize, boolean symmetric, float[] scales, int[] zeros) {
        if (bits < 1 || bits > 16) throw new IllegalArgumentException("bits must be in 1..16: " + bits);
        if (groupSize <= 0) throw new IllegalArgumentException("group size must be positive: " + groupSize);
        this.rows = rows;
        this.cols = cols;
        this.bits = bits;
        this.groupSize = Math.min(groupSize, cols);
        this.groups = (cols + this.groupSize - 1) / this.groupSize;
        this.symmetric = symmetric;
        if (scales.length != rows * groups || zeros.length != rows * groups) {
            throw new IllegalArgumentException(
                    "grid needs " + rows * groups + " scales/zeros, got " + scales.length + "/" + zeros.length);
        }
        this.scales = scales;
        this.zeros = zeros;
    }

    /** Empty grid whose groups are filled by {@link #fitGroup}. */
    public static UniformGrid empty(int rows, int cols, int bits, int groupSize, boolean symmetric) {
        int g = Math.min(groupSize <= 0 ? cols : groupSize, cols);
        int groups = (cols + g - 1) / g;
        return new UniformGrid(rows, cols, bits, g, symmetric, new float[rows * groups], new int[rows * groups]);
    }

    /** Min–max grid fitted to a row-major matrix. groupSize ≤ 0 means one group per row. */
    public static UniformGrid fit(double[] w, int rows, int cols, int bits, int groupSize, boolean symmetric) {
        UniformGrid g = empty(rows, cols, bits, groupSize, symmetric);
        for (int r = 0; r < rows; r++) {
            for (int gi = 0; gi < g.groups; gi++) {
                int c0 = gi * g.groupSize, c1 = Math.min(cols, c0 + g.groupSize);
                double min = 0, max = 0;
                for (int c = c0; c < c1; c++) {
                    double v = w[r * cols + c];
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                g.setGroup(r, gi, min, max);
            }
        }
        return g;
    }

    /**
     * Like {@link #fit} but each group's min–max range is shrunk by the factor in {1, 0.975, …, 0.525}
     * that minimises the group's squared rounding error (GPTQ's optional "mse" grid search). Used by
     * CALDERA's scalar quantiser: after the Hadamard rotation weights are near-Gaussian and a full
     * min–max 2-bit grid wastes its levels on the tails.
     */
    public static UniformGrid fitClipped(double[] w, int rows, int cols, int bits, int groupSize, boolean symmetric) {
        UniformGrid g = empty(rows, cols, bits, groupSize, symmetric);
        Parallel.forRange(0, rows, 8, r -> {
            double[] d2 = new double[g.groupSize];
            for (int gi = 0; gi < g.groups; gi++) {
                int c0 = gi * g.groupSize, c1 = Math.min(cols, c0 + g.groupSize);
                g.setGroupClipped(r, gi, w, r * cols + c0, c1 - c0, d2);
            }
        });
        return g;
    }

    /**
     * Fits (row, group) to {@code len} values at {@code w[off..]} with the min–max range shrunk by the factor
     * in {1, 0.975, …, 0.525} of least squared rounding error ({@link #fitClipped}'s search).
     */
    private void setGroupClipped(int r, int gi, double[] w, int off, int len, double[] d2) {
        double min = 0, max = 0;
        for (int c = 0; c < len; c++) {
            double v = w[off + c];
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double bestErr = Double.POSITIVE_INFINITY, bestP = 1;
        int maxq = (1 << bits) - 1;
        for (int step = 0; step < 20; step++) {
            double p = 1 - 0.025 * step;
            // The grid setGroup(r, gi, p·min, p·max) would store, evaluated inline with the same
            // arithmetic as quantize(): squared errors vectorised, summed in column order.
            Params gp = params(p * min, p * max, bits, symmetric);
            squaredErrors(w, off, len, gp.scale(), gp.zero(), maxq, Math.max(-min, max), d2);
            double err = 0;
            for (int c = 0; c < len && err < bestErr; c++) err += d2[c];
            if (err < bestErr) {
                bestErr = err;
                bestP = p;
            }
        }
        setGroup(r, gi, bestP * min, bestP * max);
    }

    private static final VectorSpecies<Double> S = KernelSpecies.D;
    private static final double RINT_MAGIC = 6755399441055744.0; // 1.5·2^52: (x + M) − M = rint(x) for |x| < 2^51

    /**
     * out[i] = (w[off+i] − ŵ)² with ŵ = sc·(clamp(Math.round(w/sc) + zero, 0, maxq) − zero), exactly as
     * {@link #quantize} computes it. Vectorised where |w/sc| < 2^50: Math.round(x) = rint(x) + [x − rint(x) = ½]
     * (both exact there); scalar otherwise (a scale that underflowed FP16, say).
     */
    private static void squaredErrors(
            double[] w, int off, int len, double sc, int zero, int maxq, double maxAbs, double[] out) {
        int i = 0;
        if (sc > 0 && maxAbs / sc < 0x1p50) {
            var scv = DoubleVector.broadcast(S, sc);
            var zv = DoubleVector.broadcast(S, zero);
            var mv = DoubleVector.broadcast(S, maxq);
            var magic = DoubleVector.broadcast(S, RINT_MAGIC);
            var half = DoubleVector.broadcast(S, 0.5);
            var one = DoubleVector.broadcast(S, 1.0);
            var zero0 = DoubleVector.zero(S);
            for (int bound = S.loopBound(len); i < bound; i += S.length()) {
                var v = DoubleVector.fromArray(S, w, off + i);
                var x = v.div(scv);
                var rx = x.add(magic).sub(magic);
                rx = rx.add(one, x.sub(rx).compare(VectorOperators.EQ, half));
                var q = rx.add(zv).max(zero0).min(mv);
                var d = v.sub(q.sub(zv).mul(scv));
                d.mul(d).intoArray(out, i);
            }
        }
        for (; i < len; i++) {
            double v = w[off + i];
            long q = Math.max(0, Math.min(maxq, Math.round(v / sc) + zero));
            double d = v - sc * (int) (q - zero);
            out[i] = d * d;
        }
    }

    /** Fits the grid of (row, group) to the values range [min, max] (widened to include 0). */
    public void setGroup(int row, int group, double min, double max) {
        Params p = params(min, max, bits, symmetric);
        scales[row * groups + group] = p.scale();
        zeros[row * groups + group] = p.zero();
    }

    /** Stored (FP16-rounded) scale and zero point of a group with range [min, max]. */
    private record Params(float scale, int zero) {}

    private static Params params(double min, double max, int bits, boolean symmetric) {
        min = Math.min(min, 0);
        max = Math.max(max, 0);
        int maxq = (1 << bits) - 1;
        double scale;
        int zero;
        if (symmetric) {
            double a = Math.max(-min, max);
            scale = 2 * a / maxq;
            zero = (maxq + 1) / 2;
        } else {
            scale = (max - min) / maxq;
            zero = scale == 0 ? 0 : (int) Math.round(-min / scale);
        }
        if (scale == 0) scale = 1; // all-zero group: any scale reproduces it exactly
        // Scales are stored as FP16; quantise with the stored value so encoder and decoder agree.
        return new Params(Half.f16ToFloat(Half.floatToF16((float) scale)), zero);
    }

    /** As {@link #fitGroupFromColumns} with {@link #fitClipped}'s MSE-optimal shrinking of each range. */
    public void fitGroupFromColumnsClipped(double[][] columns, int col0, int count) {
        int group = col0 / groupSize;
        double[] row = new double[count], d2 = new double[count];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < count; c++) row[c] = columns[c][r];
            setGroupClipped(r, group, row, 0, count, d2);
        }
    }

    /** Fits the group containing column {@code col0} of every row from column-major values (GPTQ). */
    public void fitGroupFromColumns(double[][] columns, int col0, int count) {
        int group = col0 / groupSize;
        for (int r = 0; r < rows; r++) {
            double min = 0, max = 0;
            for (int c = 0; c < count; c++) {
                double v = columns[c][r];
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            setGroup(r, group, min, max);
        }
    }

    public int code(int row, int col, double value) {
        int gi = row * groups + col / groupSize;
        int maxq = (1 << bits) - 1;
        long q = Math.round(value / scales[gi]) + zeros[gi];
        return (int) Math.max(0, Math.min(maxq, q));
    }

    public double value(int row, int col, int code) {
        int gi = row * groups + col / groupSize;
        return (double) scales[gi] * (code - zeros[gi]);
    }

    public double quantize(int row, int col, double value) {
        return value(row, col, code(row, col, value));
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int bits() {
        return bits;
    }

    public int groupSize() {
        return groupSize;
    }

    public int groups() {
        return groups;
    }

    public boolean symmetric() {
        return symmetric;
    }

    public float[] scales() {
        return scales;
    }

    public int[] zeros() {
        return zeros;
    }

    /** Bits per weight of codes plus per-group parameters (see class comment). */
    public static double bitsPerWeight(int bits, int groupSize, boolean symmetric) {
        return bits + (symmetric ? 16.0 : 16.0 + bits) / groupSize;
    }
}
