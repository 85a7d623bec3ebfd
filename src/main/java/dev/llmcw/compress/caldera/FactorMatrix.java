package dev.llmcw.compress.caldera;

import dev.llmcw.compress.quant.BlockQuantizer;
import dev.llmcw.compress.quant.E8P12;
import dev.llmcw.compress.quant.E8PQuantizer;
import dev.llmcw.compress.quant.FloatQuantizer;
import dev.llmcw.compress.quant.PackedGroupCodes;
import dev.llmcw.compress.quant.ScalarBlockQuantizer;
import dev.llmcw.compress.quant.TensorScalarQuantizer;
import dev.llmcw.tensor.Half;

/**
 * A low-rank factor L or R of a CALDERA layer kept in its stored form: scalar codes bit-packed
 * ({@link PackedGroupCodes}, also for the one-grid "tensor" layout), 16-bit factors as BF16, 32-bit ones as
 * floats, lattice (E8P) factors as their 16-bit indices. {@link #dotRow} decodes each value inside
 * the loop and sums in column order, so it gives the same floats as the decoded matrix did.
 */
public final class FactorMatrix {
    private final int rows, cols;
    private final PackedGroupCodes packed;
    private final short[] bf16;
    private final float[] f32;
    private final Lattice lattice; // E8P indices, decoded 8 values at a time

    /** E8P factor: 16-bit indices ((row·blocks + block)·stages + stage), the scale, 1 or 2 stages. */
    private record Lattice(short[] codes, double scale, int stages) {}

    private FactorMatrix(int rows, int cols, PackedGroupCodes packed, short[] bf16, float[] f32) {
        this(rows, cols, packed, bf16, f32, null);
    }

    private FactorMatrix(int rows, int cols, PackedGroupCodes packed, short[] bf16, float[] f32, Lattice lattice) {
        this.rows = rows;
        this.cols = cols;
        this.packed = packed;
        this.bf16 = bf16;
        this.f32 = f32;
        this.lattice = lattice;
    }

    /** The stored form of a factor with {@code rows}×{@code cols} values. */
    public static FactorMatrix of(BlockQuantizer q, int rows, int cols) {
        return switch (q) {
            case ScalarBlockQuantizer s
            when s.grid().bits() <= 8 ->
                new FactorMatrix(rows, cols, PackedGroupCodes.of(s.grid(), s.codes()), null, null);
            case TensorScalarQuantizer t
            when t.flat().grid().bits() <= 8 ->
                new FactorMatrix(
                        rows,
                        cols,
                        PackedGroupCodes.of(t.flat().grid(), t.flat().codes()),
                        null,
                        null);
            case E8PQuantizer e
            when e.cols() % E8P12.DIM == 0 -> {
                short[] c = new short[e.codes().length];
                for (int i = 0; i < c.length; i++) c[i] = (short) e.codes()[i];
                yield new FactorMatrix(rows, cols, null, null, null, new Lattice(c, e.scale(), e.stages()));
            }
            case FloatQuantizer f
            when f.bits() == 16 && allBf16(f.values()) -> {
                short[] b = new short[f.values().length];
                for (int i = 0; i < b.length; i++) b[i] = Half.floatToBf16(f.values()[i]);
                yield new FactorMatrix(rows, cols, null, b, null);
            }
            default -> {
                double[] d = q.decode();
                float[] v = new float[d.length];
                for (int i = 0; i < d.length; i++) v[i] = (float) d[i];
                yield new FactorMatrix(rows, cols, null, null, v);
            }
        };
    }

    /** Decoded values kept as floats (a factor assembled from parts with different storage). */
    public static FactorMatrix ofValues(float[] values, int rows, int cols) {
        if (values.length != rows * cols)
            throw new IllegalArgumentException("factor has " + values.length + " values, not " + rows + "x" + cols);
        return new FactorMatrix(rows, cols, null, null, values);
    }

    private static boolean allBf16(float[] v) {
        for (float f : v) if (Half.bf16ToFloat(Half.floatToBf16(f)) != f) return false;
        return true;
    }

    int rows() {
        return rows;
    }

    int cols() {
        return cols;
    }

    /** Σ_c value(row, c)·x[xOff + c] over c ascending. */
    float dotRow(int row, float[] x, int xOff) {
        long base = (long) row * cols;
        float s = 0;
        if (lattice != null) return latticeDotRow(row, x, xOff);
        if (f32 != null) {
            for (int c = 0; c < cols; c++) s += f32[(int) base + c] * x[xOff + c];
        } else if (bf16 != null) {
            for (int c = 0; c < cols; c++) s += Half.bf16ToFloat(bf16[(int) base + c]) * x[xOff + c];
        } else {
            for (int c = 0; c < cols; c++) s += packed.value(base + c) * x[xOff + c];
        }
        return s;
    }

    /** {@link #dotRow} over E8P indices: each block of 8 decoded in double as {@link E8PQuantizer#decode} does. */
    private float latticeDotRow(int row, float[] x, int xOff) {
        short[] codes = lattice.codes();
        int stages = lattice.stages(), blocks = cols / E8P12.DIM;
        double scale = lattice.scale();
        double[] c1 = new double[E8P12.DIM], c2 = new double[E8P12.DIM];
        float s = 0;
        for (int b = 0; b < blocks; b++) {
            int base = (row * blocks + b) * stages;
            E8P12.decode(codes[base] & 0xFFFF, c1, 0);
            if (stages == 2) {
                E8P12.decode(codes[base + 1] & 0xFFFF, c2, 0);
                for (int i = 0; i < E8P12.DIM; i++) c1[i] += c2[i] / E8P12.RVQ_RESID_SCALE;
            }
            for (int i = 0; i < E8P12.DIM; i++) s += (float) (c1[i] * scale) * x[xOff + b * E8P12.DIM + i];
        }
        return s;
    }

    long residentBytes() {
        if (lattice != null) return 2L * lattice.codes().length;
        if (f32 != null) return 4L * f32.length;
        if (bf16 != null) return 2L * bf16.length;
        return packed.residentBytes();
    }
}
