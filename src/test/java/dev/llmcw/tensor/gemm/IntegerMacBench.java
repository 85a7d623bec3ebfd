package dev.llmcw.tensor.gemm;

import static dev.llmcw.tensor.KernelSpecies.F;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Manual microbenchmark (not a test): multiply-accumulates per thread-CPU-nanosecond of the inner loops a Q4_0 / Q8_0
 * prefill GEMM could use in Java, on L1-resident data, against the float FMA tile of {@link BlockedGemm}. It is
 * the measured ceiling behind the quantized types' prefill limit (docs/performance-notes.md): llama.cpp multiplies
 * bytes with AVX2's vpmaddubsw (32 byte products summed in pairs per instruction), which the Vector API does not
 * offer. Kernels:
 *
 * <ul>
 *   <li>{@code float}: 6 rows × 16 tokens, 12 FloatVector accumulators, one broadcast per row (BlockedGemm's tile);
 *   <li>{@code short}: 16 weight rows in the lanes of a ShortVector (4-bit weights widened to shorts), the
 *       activation (a Q8 value) broadcast, 6 tokens, products summed in shorts over a 32-block (|w·x| ≤ 8·127,
 *       32 of them fit a short), then widened to floats and scaled once per block: what an integer Q4_0 tile
 *       costs per MAC, including the per-block conversion;
 *   <li>{@code short-raw}: the same without the per-block conversion (the integer multiply and add alone);
 *   <li>{@code madd}: a scalar loop of pairwise short products into ints, the shape C2 compiles to vpmaddwd.
 * </ul>
 *
 * Checksums are printed so no loop is dead code. Run: {@code java -cp target/classes:target/test-classes
 * --add-modules jdk.incubator.vector dev.llmcw.tensor.gemm.IntegerMacBench}.
 */
public final class IntegerMacBench {
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final int G = ActivationPanel.GROUP, L = F.length(), K = 256, BLOCK = 32;
    /** The float tile's row stride, read at run time (a compile-time constant halves C2's speed: see BlockedGemm). */
    private static int rowStride = K;

    public static void main(String[] args) {
        Random r = new Random(1);
        float[] xp = new float[K * G], w = new float[6 * K], acc = new float[6 * G];
        for (int i = 0; i < xp.length; i++) xp[i] = r.nextFloat();
        for (int i = 0; i < w.length; i++) w[i] = r.nextFloat();
        short[] wq = new short[K * 16], xq = new short[K * 6];
        for (int i = 0; i < wq.length; i++) wq[i] = (short) (r.nextInt(16) - 8);
        for (int i = 0; i < xq.length; i++) xq[i] = (short) (r.nextInt(255) - 127);
        float[] scales = new float[16 * (K / BLOCK)], out = new float[16 * 6];
        for (int i = 0; i < scales.length; i++) scales[i] = r.nextFloat();
        short[] a = new short[4096], b = new short[4096];
        for (int i = 0; i < a.length; i++) {
            a[i] = (short) (r.nextInt(16) - 8);
            b[i] = (short) (r.nextInt(255) - 127);
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double check = 0;
        for (int round = 0; round < 12; round++) {
            boolean print = round >= 7;
            check += time(mx, "float", 6L * G * K, print, () -> floatTile(w, xp, acc));
            check += time(mx, "short", 16L * 6 * K, print, () -> shortTile(wq, xq, scales, out, true));
            check += time(mx, "short-raw", 16L * 6 * K, print, () -> shortTile(wq, xq, scales, out, false));
            check += time(mx, "madd", a.length, print, () -> madd(a, b));
        }
        System.out.println("checksum " + check);
    }

    /** Runs body for ~300 ms, prints MACs per CPU-ns (and GMAC/s); returns a value that depends on the results. */
    private static double time(ThreadMXBean mx, String name, long macsPerCall, boolean print, Body body) {
        long c0 = mx.getCurrentThreadCpuTime(), w0 = System.nanoTime();
        long calls = 0;
        double sink = 0;
        while (System.nanoTime() - w0 < 300_000_000L) {
            for (int i = 0; i < 100; i++) sink += body.run();
            calls += 100;
        }
        double ns = mx.getCurrentThreadCpuTime() - c0;
        if (print) System.out.printf("%-10s %6.2f MAC per CPU-ns%n", name, macsPerCall * calls / ns);
        return sink;
    }

    private interface Body {
        double run();
    }

    /** BlockedGemm's 6 × 16 float tile over K columns (the row stride read at run time, as there). */
    private static double floatTile(float[] w, float[] xp, float[] acc) {
        int ws = rowStride, w1 = ws, w2 = w1 + ws, w3 = w2 + ws, w4 = w3 + ws, w5 = w4 + ws;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int k = 0; k < K; k++) {
            FloatVector x0 = FloatVector.fromArray(F, xp, G * k), x1 = FloatVector.fromArray(F, xp, G * k + L);
            FloatVector b = FloatVector.broadcast(F, w[k]);
            c00 = x0.fma(b, c00);
            c01 = x1.fma(b, c01);
            b = FloatVector.broadcast(F, w[w1 + k]);
            c10 = x0.fma(b, c10);
            c11 = x1.fma(b, c11);
            b = FloatVector.broadcast(F, w[w2 + k]);
            c20 = x0.fma(b, c20);
            c21 = x1.fma(b, c21);
            b = FloatVector.broadcast(F, w[w3 + k]);
            c30 = x0.fma(b, c30);
            c31 = x1.fma(b, c31);
            b = FloatVector.broadcast(F, w[w4 + k]);
            c40 = x0.fma(b, c40);
            c41 = x1.fma(b, c41);
            b = FloatVector.broadcast(F, w[w5 + k]);
            c50 = x0.fma(b, c50);
            c51 = x1.fma(b, c51);
        }
        FloatVector s = c00.add(c01).add(c10).add(c11).add(c20).add(c21);
        s = s.add(c30).add(c31).add(c40).add(c41).add(c50).add(c51);
        s.intoArray(acc, 0);
        return acc[0];
    }

    /**
     * 16 rows (lanes) × 6 tokens of Q4-like weights wq[k·16 + row] and Q8-like activations xq[k·6 + token]: per k one
     * weight load, six broadcasts, six short multiplies and adds; with {@code scale}, every 32-block's six short
     * sums are widened to floats and added to float sums with the rows' block scales (a Q4_0 × Q8_0 product).
     */
    private static double shortTile(short[] wq, short[] xq, float[] scales, float[] out, boolean scale) {
        // the float sums live in out (12 vectors): kept in registers next to the 6 short sums, the weights and a
        // broadcast they would need 20 of the 16 ymm registers, and C2's spills halved the speed
        Arrays.fill(out, 0f);
        ShortVector z = ShortVector.zero(S);
        ShortVector t0 = z, t1 = z, t2 = z, t3 = z, t4 = z, t5 = z;
        for (int kb = 0; kb < K; kb += BLOCK) {
            ShortVector s0 = z, s1 = z, s2 = z, s3 = z, s4 = z, s5 = z;
            for (int k = kb; k < kb + BLOCK; k++) {
                ShortVector wv = ShortVector.fromArray(S, wq, 16 * k);
                int x = 6 * k;
                s0 = s0.add(wv.mul(xq[x]));
                s1 = s1.add(wv.mul(xq[x + 1]));
                s2 = s2.add(wv.mul(xq[x + 2]));
                s3 = s3.add(wv.mul(xq[x + 3]));
                s4 = s4.add(wv.mul(xq[x + 4]));
                s5 = s5.add(wv.mul(xq[x + 5]));
            }
            if (scale) {
                int si = kb / BLOCK * 16;
                FloatVector dl = FloatVector.fromArray(F, scales, si), dh = FloatVector.fromArray(F, scales, si + L);
                addScaled(s0, dl, dh, out, 0);
                addScaled(s1, dl, dh, out, 16);
                addScaled(s2, dl, dh, out, 32);
                addScaled(s3, dl, dh, out, 48);
                addScaled(s4, dl, dh, out, 64);
                addScaled(s5, dl, dh, out, 80);
            } else {
                t0 = t0.add(s0);
                t1 = t1.add(s1);
                t2 = t2.add(s2);
                t3 = t3.add(s3);
                t4 = t4.add(s4);
                t5 = t5.add(s5);
            }
        }
        ShortVector t = t0.add(t1).add(t2).add(t3).add(t4).add(t5);
        return out[0] + out[95] + t.lane(0);
    }

    /** out[o..o+16) += the 16 short sums as floats × the rows' scales (even rows, then odd rows). */
    private static void addScaled(ShortVector sums, FloatVector dEven, FloatVector dOdd, float[] out, int o) {
        widen(sums, 0).fma(dEven, FloatVector.fromArray(F, out, o)).intoArray(out, o);
        widen(sums, 1).fma(dOdd, FloatVector.fromArray(F, out, o + L)).intoArray(out, o + L);
    }

    /**
     * The even (part 0) or odd (part 1) lanes of a short vector as floats, by shifts of its int view: two shifts
     * and a conversion, where {@code convertShape(S2F, F, part)} measured 3x slower here. The lane order (even rows,
     * then odd rows) is the packing's business: the block scales are stored in the same order.
     */
    private static FloatVector widen(ShortVector v, int part) {
        IntVector i = v.reinterpretAsInts();
        i = part == 0
                ? i.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                : i.lanewise(VectorOperators.ASHR, 16);
        return (FloatVector) i.convert(VectorOperators.I2F, 0);
    }

    /** Σ a[i]·b[i] over shorts into an int, written pairwise: the form C2 vectorises to vpmaddwd. */
    private static double madd(short[] a, short[] b) {
        int s = 0;
        for (int i = 0; i < a.length; i += 2) s += a[i] * b[i] + a[i + 1] * b[i + 1];
        return s;
    }
}
