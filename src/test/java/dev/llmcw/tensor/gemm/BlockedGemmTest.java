package dev.llmcw.tensor.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.model.gguf.GgmlQuantizer;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.FloatRows;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.tensor.Tensors;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link BlockedGemm} against its scalar twin {@link NaiveGemm} for every storage type the prefill path meets.
 * The two sum in different orders (the blocked kernel per slice of 256 columns, the twin straight through), so
 * they agree to float rounding: tolerance 1e-5 · Σ_k |w_k·x_k| per output, about 100 float ulps of the sum of
 * magnitudes (measured worst: a few 1e-7). Shapes leave a partial row tile (50 = 8·6 + 2), a partial token group
 * and a partial column slice (600 = 2·256 + 88, 608 for blocks of 32, 768 = 3·256 for K-quants).
 */
class BlockedGemmTest {
    static final double TOL = 1e-5;

    @ParameterizedTest
    @EnumSource(
            value = DType.class,
            names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void matchesTheScalarTwin(DType type) {
        int n = type.blockSize() == 256 ? 768 : type.blockSize() == 32 ? 608 : 600, out = 50, tokens = 37;
        Random rnd = new Random(type.ordinal());
        Tensor w = randomWeight(type, out, n, rnd);
        float[] bias = new float[out];
        for (int r = 0; r < out; r++) bias[r] = (float) rnd.nextGaussian();
        float[] x = gaussian(tokens * n, rnd);

        float[] want = new float[tokens * out], got = new float[tokens * out];
        NaiveGemm.multiply(w, bias, x, 0, tokens, want, 0);
        ActivationPanel panel = ActivationPanel.pack(x, 0, n, tokens);
        BlockedGemm.Scratch s = new BlockedGemm.Scratch();
        for (int r0 = 0; r0 < out; r0 += BlockedGemm.MAX_BLOCK_ROWS)
            BlockedGemm.multiply(
                    w, bias, r0, Math.min(BlockedGemm.MAX_BLOCK_ROWS, out - r0), panel, new FloatRows(got, 0, out), s);

        double worst = 0;
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < out; r++) {
                double mag = Math.abs(bias[r]);
                for (int k = 0; k < n; k++) mag += Math.abs(w.get((long) r * n + k) * x[t * n + k]);
                double err = Math.abs(got[t * out + r] - want[t * out + r]) / mag;
                worst = Math.max(worst, err);
                assertThat(err).as("%s token %d row %d", type, t, r).isLessThanOrEqualTo(TOL);
            }
        }
        System.out.printf("BlockedGemmTest %s: worst |blocked - twin| / sum|w x| = %.2e%n", type, worst);
        assertThat(worst).as("not a vacuous comparison").isGreaterThan(0);
    }

    @Test
    void rowBlockingDoesNotChangeAnyResult() {
        int n = 300, out = 42, tokens = 20;
        Random rnd = new Random(3);
        Tensor w = randomWeight(DType.F32, out, n, rnd);
        float[] x = gaussian(tokens * n, rnd);
        ActivationPanel panel = ActivationPanel.pack(x, 0, n, tokens);
        BlockedGemm.Scratch s = new BlockedGemm.Scratch();
        float[] whole = new float[tokens * out], bySix = new float[tokens * out], odd = new float[tokens * out];
        BlockedGemm.multiply(w, null, 0, out, panel, new FloatRows(whole, 0, out), s);
        for (int r0 = 0; r0 < out; r0 += 6)
            BlockedGemm.multiply(w, null, r0, 6, panel, new FloatRows(bySix, 0, out), s);
        for (int r0 = 0; r0 < out; r0 += 5)
            BlockedGemm.multiply(w, null, r0, Math.min(5, out - r0), panel, new FloatRows(odd, 0, out), s);
        assertThat(bySix).isEqualTo(whole);
        assertThat(odd).isEqualTo(whole);
    }

    @Test
    void panelPacksTokensKMajorAndPadsWithZeros() {
        int n = 3, tokens = ActivationPanel.GROUP + 1;
        float[] x = new float[tokens * n];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        ActivationPanel p = ActivationPanel.pack(x, 0, n, tokens);
        int g = ActivationPanel.GROUP;
        assertThat(p.groups()).isEqualTo(2);
        assertThat(p.data()[2 * g + 1]).isEqualTo(x[n + 2]); // token 1, k 2
        assertThat(p.data()[(n + 1) * g]).isEqualTo(x[g * n + 1]); // group 1, k 1, its first token
        assertThat(p.data()[(n + 1) * g + 1]).isZero(); // padding
    }

    @Test
    void aReusedPanelBufferGivesTheSameProduct() {
        int n = 64, out = 12, tokens = ActivationPanel.GROUP + 3;
        Random rnd = new Random(5);
        Tensor w = randomWeight(DType.F32, out, n, rnd);
        float[] x = gaussian(tokens * n, rnd);
        float[] stale = gaussian(4 * tokens * n, rnd); // an earlier, larger product's values, padding included
        float[] fresh = new float[tokens * out], reused = new float[tokens * out];
        BlockedGemm.Scratch s = new BlockedGemm.Scratch();
        BlockedGemm.multiply(w, null, 0, out, ActivationPanel.pack(x, 0, n, tokens), new FloatRows(fresh, 0, out), s);
        ActivationPanel p = new ActivationPanel(n, tokens, stale);
        for (int g = 0; g < p.groups(); g++) p.packGroup(x, 0, g);
        assertThat(p.data()).isSameAs(stale);
        BlockedGemm.multiply(w, null, 0, out, p, new FloatRows(reused, 0, out), s);
        assertThat(reused).isEqualTo(fresh);
    }

    @Test
    void mismatchedWidthsAreRefused() {
        Tensor w = randomWeight(DType.F32, 6, 10, new Random(1));
        ActivationPanel panel = ActivationPanel.pack(new float[22], 0, 11, 2);
        assertThatThrownBy(() -> BlockedGemm.multiply(
                        w, null, 0, 6, panel, new FloatRows(new float[12], 0, 6), new BlockedGemm.Scratch()))
                .hasMessageContaining("rows of 10");
    }

    static float[] gaussian(int size, Random rnd) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }

    /** A random out × n matrix stored as {@code type}: quantized by the workbench's GGML quantizers, or rounded to 16 bits. */
    static Tensor randomWeight(DType type, int out, int n, Random rnd) {
        float[] v = gaussian(out * n, rnd);
        long[] shape = {out, n};
        byte[] bytes = switch (type) {
            case F32 -> toBytes(v, 4, f -> Float.floatToRawIntBits(f));
            case F16 -> toBytes(v, 2, f -> Float.floatToFloat16(f));
            case BF16 -> toBytes(v, 2, f -> Float.floatToRawIntBits(f) >>> 16);
            default -> GgmlQuantizer.quantize(type, v, out, n, null);
        };
        return Tensors.wrap(type, shape, MemorySegment.ofArray(bytes));
    }

    private interface Bits {
        int of(float f);
    }

    private static byte[] toBytes(float[] v, int width, Bits bits) {
        byte[] b = new byte[v.length * width];
        for (int i = 0; i < v.length; i++) {
            int u = bits.of(v[i]);
            for (int j = 0; j < width; j++) b[i * width + j] = (byte) (u >>> (8 * j));
        }
        return b;
    }
}
