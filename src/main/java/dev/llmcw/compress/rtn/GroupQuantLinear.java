package dev.llmcw.compress.rtn;

import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.compress.quant.UniformGrid;
import dev.llmcw.tensor.Linear;
import dev.llmcw.util.Parallel;

/**
 * y = Ŵ·x with Ŵ = scale·(q − zero) per row and group, decoded inside the matvec (codes kept unpacked
 * in memory, one byte each for b ≤ 8; storage bytes report the packed size). Per group:
 * Σ_c s(q_c − z)x_c = s·(Σ q_c x_c − z·Σ x_c).
 */
public final class GroupQuantLinear implements Linear {
    private final UniformGrid grid;
    private final byte[] codes;
    private final long packedBytes;
    private final String label;

    public GroupQuantLinear(UniformGrid grid, int[] codes, String label) {
        if (grid.bits() > 8)
            throw new IllegalArgumentException("on-the-fly group linear supports up to 8 bits, got " + grid.bits());
        this.grid = grid;
        this.codes = new byte[codes.length];
        for (int i = 0; i < codes.length; i++) this.codes[i] = (byte) codes[i];
        this.packedBytes =
                QuantizerIO.scalarBits(grid.rows(), grid.cols(), grid.bits(), grid.groupSize(), grid.symmetric()) / 8;
        this.label = label;
    }

    @Override
    public int inFeatures() {
        return grid.cols();
    }

    @Override
    public int outFeatures() {
        return grid.rows();
    }

    @Override
    public long storageBytes() {
        return packedBytes;
    }

    @Override
    public String kind() {
        return label + " on-the-fly";
    }

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        int in = grid.cols(), out = grid.rows(), gs = grid.groupSize(), groups = grid.groups();
        float[] scales = grid.scales();
        int[] zeros = grid.zeros();
        // Σ x over each group, per token (shared by all rows).
        float[] gsum = new float[batch * groups];
        for (int t = 0; t < batch; t++) {
            for (int c = 0; c < in; c++) gsum[t * groups + c / gs] += x[xOff + t * in + c];
        }
        Parallel.forRange(0, out, 8, r -> {
            int base = r * in;
            for (int t = 0; t < batch; t++) {
                int xo = xOff + t * in;
                float acc = 0;
                for (int g = 0; g < groups; g++) {
                    int c0 = g * gs, c1 = Math.min(in, c0 + gs);
                    float s = 0;
                    for (int c = c0; c < c1; c++) s += (codes[base + c] & 0xFF) * x[xo + c];
                    int gi = r * groups + g;
                    acc += scales[gi] * (s - zeros[gi] * gsum[t * groups + g]);
                }
                y[yOff + t * out + r] = acc;
            }
        });
    }
}
