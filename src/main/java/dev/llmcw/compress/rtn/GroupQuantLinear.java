package dev.llmcw.compress.rtn;

import dev.llmcw.compress.quant.PackedGroupCodes;
import dev.llmcw.compress.quant.PackedGroupIntegerKernels;
import dev.llmcw.compress.quant.PackedGroupKernels;
import dev.llmcw.compress.quant.QuantizerIO;
import dev.llmcw.compress.quant.UniformGrid;
import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.gemm.ActivationPanel;
import dev.llmcw.tensor.gemm.ParallelGemm;
import dev.llmcw.util.Parallel;

/**
 * y = Ŵ·x with Ŵ = scale·(q − zero) per row and group, decoded inside the matvec from the codes as the file
 * packs them ({@link PackedGroupCodes}: b bits a code, FP16 scales, b-bit zeros), so the layer holds its
 * stored size in memory and never a dense or byte-per-code copy. Per group:
 * Σ_c s(q_c − z)x_c = s·(Σ q_c x_c − z·Σ x_c). Codes of 1–4 bits go through the Vector API kernels of
 * {@link PackedGroupKernels} (unpacked in registers, eight lanes per group); 5–8 bits keep the scalar loop,
 * eight codes out of one 8-byte load multiplied in column order. Decode-sized batches of 4-bit codes in groups
 * of whole blocks of 32 take the integer dots of {@link PackedGroupIntegerKernels} against Q8 activations.
 * Batches of {@link #GEMM_FROM} tokens or more (prefill, scoring) take the blocked GEMM, as dense layers do.
 */
public final class GroupQuantLinear implements Linear {
    private final PackedGroupCodes packed;
    private final long storedBytes;
    private final String label;

    public GroupQuantLinear(PackedGroupCodes packed, String label) {
        this.packed = packed;
        this.storedBytes = QuantizerIO.scalarBits(
                        packed.rows(), packed.cols(), packed.bits(), packed.groupSize(), packed.symmetric())
                / 8;
        this.label = label;
    }

    /** A layer over codes held unpacked (CALDERA's Q, tests): packed once here. */
    public GroupQuantLinear(UniformGrid grid, int[] codes, String label) {
        this(packOrRefuse(grid, codes), label);
    }

    private static PackedGroupCodes packOrRefuse(UniformGrid grid, int[] codes) {
        if (grid.bits() > 8)
            throw new IllegalArgumentException("on-the-fly group linear supports up to 8 bits, got " + grid.bits());
        return PackedGroupCodes.of(grid, codes);
    }

    /** The packed codes, scales and zero points this layer runs from. */
    public PackedGroupCodes packed() {
        return packed;
    }

    @Override
    public int inFeatures() {
        return packed.cols();
    }

    @Override
    public int outFeatures() {
        return packed.rows();
    }

    @Override
    public long storageBytes() {
        return storedBytes;
    }

    /** Bytes of the arrays this layer keeps (packed codes, FP16 scales, packed zeros, 16 bytes of padding). */
    public long residentBytes() {
        return packed.residentBytes();
    }

    @Override
    public String kind() {
        return label + " on-the-fly";
    }

    /**
     * From this many tokens a product runs the blocked GEMM over the codes decoded a slice at a time (as dense
     * prefill does, the same threshold); below it, the kernels that unpack in registers per token.
     */
    static final int GEMM_FROM = 4;

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        if (batch >= GEMM_FROM) {
            // Prefill: each slice of a block of rows decoded to floats once (PackedGroupCodes.toFloat, exactly the
            // dense decode's values) and reused by every token in the register-tiled GEMM; never the whole matrix.
            ActivationPanel panel = ParallelGemm.packPanel(x, xOff, packed.cols(), batch);
            ParallelGemm.multiply(packed::toFloat, packed.rows(), null, panel, y, yOff);
            return;
        }
        if (PackedGroupIntegerKernels.handles(packed, batch)) {
            PackedGroupIntegerKernels.forward(packed, x, xOff, y, yOff, batch);
            return;
        }
        if (PackedGroupKernels.supports(packed.bits())) {
            PackedGroupKernels.forward(packed, x, xOff, y, yOff, batch);
            return;
        }
        scalarForward(x, xOff, y, yOff, batch);
    }

    /** The scalar loop (5–8 bits): one float add chain per group, in column order. */
    private void scalarForward(float[] x, int xOff, float[] y, int yOff, int batch) {
        int in = packed.cols(), out = packed.rows(), gs = packed.groupSize(), groups = packed.groups();
        // Σ x over each group, per token (shared by all rows).
        float[] gsum = new float[batch * groups];
        for (int t = 0; t < batch; t++) {
            for (int c = 0; c < in; c++) gsum[t * groups + c / gs] += x[xOff + t * in + c];
        }
        Parallel.forRange(0, out, 8, r -> {
            for (int t = 0; t < batch; t++) {
                int xo = xOff + t * in;
                float acc = 0;
                for (int g = 0; g < groups; g++) {
                    int c0 = g * gs, c1 = Math.min(in, c0 + gs);
                    float s = groupDot(r, c0, c1, x, xo);
                    int gi = r * groups + g;
                    acc += packed.scale(gi) * (s - packed.zero(gi) * gsum[t * groups + g]);
                }
                y[yOff + t * out + r] = acc;
            }
        });
    }

    /** Σ_{c0 ≤ c < c1} q[r][c]·x[xo + c] in column order, eight codes per load. */
    private float groupDot(int r, int c0, int c1, float[] x, int xo) {
        byte[] codes = packed.codes();
        int bits = packed.bits();
        long mask = (1L << bits) - 1;
        long bit = ((long) r * packed.cols() + c0) * bits;
        float s = 0;
        int c = c0;
        for (; c + 8 <= c1; c += 8, bit += 8L * bits) {
            long w = PackedGroupCodes.window(codes, bit);
            for (int j = 0; j < 8; j++) s += (int) ((w >>> (j * bits)) & mask) * x[xo + c + j];
        }
        for (; c < c1; c++, bit += bits) s += PackedGroupCodes.field(codes, bit, bits) * x[xo + c];
        return s;
    }
}
