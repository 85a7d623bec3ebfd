package dev.llmcw.compress.quant;

/**
 * E8P12 lattice quantiser of a matrix (rows split into blocks of 8 columns) with one scale per matrix:
 * the input is divided by {@code scale = RMS/1.03} (QuIP#). Two-bit ({@code stages = 1}, 16-bit index
 * per 8 weights) or four-bit residual VQ ({@code stages = 2}: E8P on x, then on (x − c₁)·3.45,
 * x̂ = c₁ + c₂/3.45), QuIP#'s E8P12RVQ4B.
 */
public final class E8PQuantizer implements BlockQuantizer {
    private final int rows, cols, stages;
    private final double scale;
    private final int[] codes; // rows × (cols/8) × stages, 16-bit values

    public E8PQuantizer(int rows, int cols, double scale, int stages) {
        if (cols % E8P12.DIM != 0) {
            throw new IllegalArgumentException("E8P needs a column count divisible by 8, got " + cols
                    + " (use --quantizer scalar for this model)");
        }
        if (stages != 1 && stages != 2)
            throw new IllegalArgumentException("E8P stages must be 1 (2-bit) or 2 (4-bit RVQ)");
        this.rows = rows;
        this.cols = cols;
        this.stages = stages;
        this.scale = scale > 0 ? (float) scale : 1; // stored as F32: quantise with the stored value
        this.codes = new int[rows * (cols / E8P12.DIM) * stages];
    }

    /** Scale so that {@code w/scale} has RMS 1.03. */
    public static E8PQuantizer forMatrix(double[] w, int rows, int cols, int stages) {
        double ss = 0;
        for (double v : w) ss += v * v;
        double rms = Math.sqrt(ss / Math.max(1, w.length));
        return new E8PQuantizer(rows, cols, rms / E8P12.OPT_SCALE, stages);
    }

    public static E8PQuantizer fromCodes(int rows, int cols, double scale, int stages, int[] codes) {
        E8PQuantizer q = new E8PQuantizer(rows, cols, scale, stages);
        if (codes.length != q.codes.length)
            throw new IllegalArgumentException("E8P code count " + codes.length + " != " + q.codes.length);
        System.arraycopy(codes, 0, q.codes, 0, codes.length);
        return q;
    }

    @Override
    public int blockSize() {
        return E8P12.DIM;
    }

    @Override
    public void quantize(int row, int col, double[] w, int off) {
        double[] x = new double[E8P12.DIM], c = new double[E8P12.DIM];
        for (int i = 0; i < E8P12.DIM; i++) x[i] = w[off + i] / scale;
        int base = (row * (cols / E8P12.DIM) + col / E8P12.DIM) * stages;
        int c1 = E8P12.nearest(x, 0);
        codes[base] = c1;
        E8P12.decode(c1, c, 0);
        if (stages == 2) {
            double[] r = new double[E8P12.DIM], c2v = new double[E8P12.DIM];
            for (int i = 0; i < E8P12.DIM; i++) r[i] = (x[i] - c[i]) * E8P12.RVQ_RESID_SCALE;
            int c2 = E8P12.nearest(r, 0);
            codes[base + 1] = c2;
            E8P12.decode(c2, c2v, 0);
            for (int i = 0; i < E8P12.DIM; i++) c[i] += c2v[i] / E8P12.RVQ_RESID_SCALE;
        }
        for (int i = 0; i < E8P12.DIM; i++) w[off + i] = c[i] * scale;
    }

    @Override
    public String label() {
        return stages == 1 ? "e8p12" : "e8p12-rvq4";
    }

    public double scale() {
        return scale;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int stages() {
        return stages;
    }

    public int[] codes() {
        return codes;
    }

    public int bits() {
        return 2 * stages;
    }

    /** Reconstruction from the stored codes. */
    @Override
    public double[] decode() {
        double[] out = new double[rows * cols];
        double[] c = new double[E8P12.DIM], c2 = new double[E8P12.DIM];
        int blocks = cols / E8P12.DIM;
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                int base = (r * blocks + b) * stages;
                E8P12.decode(codes[base], c, 0);
                if (stages == 2) {
                    E8P12.decode(codes[base + 1], c2, 0);
                    for (int i = 0; i < E8P12.DIM; i++) c[i] += c2[i] / E8P12.RVQ_RESID_SCALE;
                }
                for (int i = 0; i < E8P12.DIM; i++) out[r * cols + b * E8P12.DIM + i] = c[i] * scale;
            }
        }
        return out;
    }
}
