package dev.llmcw.compress.quant;

import dev.llmcw.tensor.Linear;
import dev.llmcw.util.Parallel;

/**
 * y = Ŵ·x for an E8P-coded matrix, decoding each 16-bit index inside the matvec through a 2 MB table of
 * the 65536 codewords (never materialising Ŵ).
 */
public final class E8PLinear implements Linear {
    private static volatile float[] table;
    private final int rows, cols, stages;
    private final float scale;
    private final short[] codes;

    public E8PLinear(E8PQuantizer q) {
        this.rows = q.rows();
        this.cols = q.cols();
        this.stages = q.stages();
        this.scale = (float) q.scale();
        int[] c = q.codes();
        this.codes = new short[c.length];
        for (int i = 0; i < c.length; i++) codes[i] = (short) c[i];
    }

    static float[] table() {
        float[] t = table;
        if (t == null) {
            synchronized (E8PLinear.class) {
                if (table == null) {
                    float[] nt = new float[E8P12.CODES * 8];
                    double[] buf = new double[8];
                    for (int c = 0; c < E8P12.CODES; c++) {
                        E8P12.decode(c, buf, 0);
                        for (int i = 0; i < 8; i++) nt[c * 8 + i] = (float) buf[i];
                    }
                    table = nt;
                }
                t = table;
            }
        }
        return t;
    }

    @Override
    public int inFeatures() {
        return cols;
    }

    @Override
    public int outFeatures() {
        return rows;
    }

    @Override
    public long storageBytes() {
        return (long) codes.length * 2 + 4;
    }

    /** Bytes of the 16-bit indices this layer keeps (the shared 2 MB codeword table not counted). */
    public long residentBytes() {
        return 2L * codes.length;
    }

    @Override
    public String kind() {
        return (stages == 1 ? "e8p12" : "e8p12-rvq4") + " on-the-fly";
    }

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        float[] t = table();
        int blocks = cols / 8;
        float resid = (float) (1 / E8P12.RVQ_RESID_SCALE);
        Parallel.forRange(0, rows, 8, r -> {
            for (int b = 0; b < batch; b++) {
                int xo = xOff + b * cols;
                float acc = 0;
                for (int k = 0; k < blocks; k++) {
                    int base = (r * blocks + k) * stages;
                    int c1 = (codes[base] & 0xFFFF) * 8;
                    float s = 0;
                    for (int i = 0; i < 8; i++) s += t[c1 + i] * x[xo + k * 8 + i];
                    if (stages == 2) {
                        int c2 = (codes[base + 1] & 0xFFFF) * 8;
                        float s2 = 0;
                        for (int i = 0; i < 8; i++) s2 += t[c2 + i] * x[xo + k * 8 + i];
                        s += resid * s2;
                    }
                    acc += s;
                }
                y[yOff + b * rows + r] = scale * acc;
            }
        });
    }
}
