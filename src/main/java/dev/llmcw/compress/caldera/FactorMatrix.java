package dev.llmcw.compress.caldera;

import dev.llmcw.compress.quant.BlockQuantizer;
import dev.llmcw.compress.quant.E8P12;
import dev.llmcw.compress.quant.E8PQuantizer;
import dev.llmcw.compress.quant.FloatQuantizer;
import dev.llmcw.compress.quant.PackedGroupCodes;
import dev.llmcw.compress.quant.PackedGroupKernels;
import dev.llmcw.compress.quant.ScalarBlockQuantizer;
import dev.llmcw.compress.quant.TensorScalarQuantizer;
import dev.llmcw.tensor.Half;
import dev.llmcw.tensor.VectorKernels;
import dev.llmcw.util.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A low-rank factor L or R of a CALDERA layer kept in its stored form: scalar codes bit-packed
 * ({@link PackedGroupCodes}, also for the one-grid "tensor" layout), 16-bit factors as BF16, 32-bit ones as
 * floats, lattice (E8P) factors as their 16-bit indices. {@link #forward} decodes each value inside
 * the loop: packed codes in registers with {@link PackedGroupKernels}, BF16 and F32 rows with vector lanes.
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

    /**
     * y[yOff + t·rows + i] = row i · token t of x, for {@code batch} tokens of {@link #cols()} floats: packed
     * codes of 1–4 bits in this matrix's shape through {@link PackedGroupKernels} (unpacked in registers),
     * every other form one row at a time ({@link #dotRow}).
     */
    void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        if (packed != null
                && PackedGroupKernels.supports(packed.bits())
                && packed.rows() == rows
                && packed.cols() == cols) { // not the one-grid "tensor" layout, which packs the values flat
            PackedGroupKernels.forward(packed, x, xOff, y, yOff, batch);
            return;
        }
        Parallel.forRange(0, rows, 8, i -> {
            for (int t = 0; t < batch; t++) y[yOff + t * rows + i] = dotRow(i, x, xOff + t * cols);
        });
    }

    /**
     * Row {@code row} · x[xOff..]: F32 and BF16 rows with vector lanes (fixed-order lane sums), packed codes of
     * 5–8 bits and lattice blocks in column order.
     */
    float dotRow(int row, float[] x, int xOff) {
        int base = row * cols;
        if (lattice != null) return latticeDotRow(row, x, xOff);
        if (f32 != null) return VectorKernels.dot(f32, base, x, xOff, cols);
        if (bf16 != null) return bf16Dot(bf16, base, x, xOff, cols);
        float s = 0;
        for (int c = 0; c < cols; c++) s += packed.value((long) base + c) * x[xOff + c];
        return s;
    }

    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> S8 = ShortVector.SPECIES_128;

    /** Σ bf16[w + c]·x[xo + c], eight lanes (a BF16 value is the high half of its float's bits). */
    static float bf16Dot(short[] w, int wo, float[] x, int xo, int n) {
        FloatVector acc = FloatVector.zero(F8);
        int c = 0;
        for (; c + 8 <= n; c += 8) {
            FloatVector v = ((IntVector) ShortVector.fromArray(S8, w, wo + c)
                            .convertShape(VectorOperators.S2I, IntVector.SPECIES_256, 0))
                    .lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
            acc = v.fma(FloatVector.fromArray(F8, x, xo + c), acc);
        }
        float s = PackedGroupKernels.sum(acc);
        for (; c < n; c++) s += Half.bf16ToFloat(w[wo + c]) * x[xo + c];
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
