package dev.llmcw.compress.quant;

import dev.llmcw.tensor.Half;

/** "Quantiser" for 16-bit (BF16) or 32-bit (F32) factors: rounds to the storage type and keeps the values. */
public final class FloatQuantizer implements BlockQuantizer {
    private final int rows, cols, bits;
    private final float[] values;

    public FloatQuantizer(int rows, int cols, int bits) {
        if (bits != 16 && bits != 32)
            throw new IllegalArgumentException("float factors are 16 (BF16) or 32 (F32) bits, not " + bits);
        this.rows = rows;
        this.cols = cols;
        this.bits = bits;
        this.values = new float[rows * cols];
    }

    public static float round(double v, int bits) {
        return bits == 16 ? Half.bf16ToFloat(Half.floatToBf16((float) v)) : (float) v;
    }

    @Override
    public int blockSize() {
        return 1;
    }

    @Override
    public void quantize(int row, int col, double[] w, int off) {
        float f = round(w[off], bits);
        values[row * cols + col] = f;
        w[off] = f;
    }

    @Override
    public String label() {
        return bits == 16 ? "bf16" : "f32";
    }

    @Override
    public double[] decode() {
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) out[i] = values[i];
        return out;
    }

    public static FloatQuantizer of(int rows, int cols, int bits, float[] values) {
        FloatQuantizer q = new FloatQuantizer(rows, cols, bits);
        System.arraycopy(values, 0, q.values, 0, values.length);
        return q;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public float[] values() {
        return values;
    }

    public int bits() {
        return bits;
    }
}
