package dev.llmcw.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * e^x for float vectors from plain lane-wise arithmetic (Cephes expf: x = n·ln2 + r with |r| ≤ ln2/2,
 * a degree-6 polynomial for e^r, 2^n put in the exponent bits), within 2 ulp of the exact value.
 * Built only from add/mul/fma and conversions, so compiled and interpreted code give the same bits,
 * unlike the Vector API's own EXP. Inputs below {@link #CUTOFF} give 0 (no subnormal results, whose
 * arithmetic is slow on x86); inputs must be ≤ 88.
 */
public final class VectorExp {
    private VectorExp() {}

    /** Below this e^x is returned as 0 (e^-80 ≈ 1.8e-35, a little above the smallest normal float). */
    public static final float CUTOFF = -80f;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding it rounds a float of magnitude < 2^22 to the nearest integer. */
    private static final float ROUND = 12582912f;

    private static final float P0 = 1.9875691500e-4f,
            P1 = 1.3981999507e-3f,
            P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f,
            P4 = 1.6666665459e-1f,
            P5 = 5.0000001201e-1f;

    /** Lanes of {@link KernelSpecies#F} (the species is that constant, not x.species(): see KernelSpecies.F). */
    public static FloatVector exp(FloatVector x) {
        // clamp by compare and blend rather than max(): see SegmentAttention.softmaxWeights
        VectorMask<Float> under = x.lt(CUTOFF);
        FloatVector safe = x.blend(CUTOFF, under);
        FloatVector n = safe.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(KernelSpecies.F, -LN2_HI), safe);
        r = n.fma(FloatVector.broadcast(KernelSpecies.F, -LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, FloatVector.broadcast(KernelSpecies.F, P2));
        p = p.fma(r, FloatVector.broadcast(KernelSpecies.F, P3));
        p = p.fma(r, FloatVector.broadcast(KernelSpecies.F, P4));
        p = p.fma(r, FloatVector.broadcast(KernelSpecies.F, P5));
        FloatVector y = p.mul(r).fma(r, r).add(1f);
        IntVector bits =
                ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector scaled = y.mul(bits.reinterpretAsFloats());
        return scaled.blend(0f, under);
    }

    /** The same computation on one float (reference for tests and scalar tails). */
    public static float exp(float x) {
        if (x < CUTOFF) return 0f;
        float n = Math.fma(x, LOG2E, ROUND) - ROUND;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float y = Math.fma(p * r, r, r) + 1f;
        return y * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    // ------------------------------------------------------------------ 2^x, x ≤ 0

    /** The smallest exponent of a normal float: 2^x for x below it is returned as 2^-126. */
    public static final float FLOOR2 = -126f;

    /** Cephes exp2f: 2^r = 1 + r·P(r) for |r| ≤ 1/2 (peak relative error 1.7e-7). */
    private static final float E0 = 1.535336188319500e-4f,
            E1 = 1.339887440266574e-3f,
            E2 = 9.618437357674640e-3f,
            E3 = 5.550332471162809e-2f,
            E4 = 2.402264791363012e-1f,
            E5 = 6.931472028550421e-1f;

    /**
     * 2^x for x ≤ 0 over two rows at once, rows {@code row} and row + 1 of a (o0 = row·stride, o1 = o0 + stride),
     * and their sums: a[o0 + j] = 2^(a[o0 + j]·mul + add0) and a[o1 + j] = 2^(a[o1 + j]·mul + add1) with
     * add0 = add[row], add1 = add[row + 1], for j in [0, n), n a multiple of the species length, then sums[row]
     * and sums[row + 1] = the two rows' totals. Each exponential is within 2 ulp of the exact value and bit for bit
     * {@link #exp2NonPositive(float)} of the same multiply-add; arguments below {@link #FLOOR2} (−∞
     * included) give 2^-126 ≈ 1.2e-38, not 0 (a caller that needs exact zeros writes them). x = n + r with
     * r = x − n exact, a degree-6 polynomial for 2^r, n put in the exponent bits straight from the rounding
     * constant's mantissa (no float→int conversion). The totals are compensated (Kahan) float sums per lane,
     * the lanes then added in double (sums first, then minus the compensations): as accurate as summing in
     * double for softmax denominators (a plain float lane sum moved PIQA's worst item on stories260K past the
     * lm-eval reference tolerance).
     *
     * <p>For the attention softmax, which folds its scale and log2(e) into the multiply-add. Why it looks like
     * this (JDK 25, AVX2, measured on a Zen 1 core): the floor is a compare and a blend, because the Vector
     * API's max() compiles to five instructions (two blends, max, an unordered compare and a blend: Java's
     * NaN and −0 rules) and was ~15 % of the loop; the sums are taken in the same loop instead of a pass of
     * their own; the two rows are written side by side, since one exponential is a ~55-cycle dependency
     * chain that one row at a time overlapped too little with the next iteration. The vectors never cross
     * a call, so nothing depends on C2 inlining (a FloatVector argument of a call that is not inlined runs as
     * the Vector API's Java fallback). {@code lanes} holds at least 4 × the species length.
     */
    public static void exp2RowsSummed(
            float[] a, int stride, int row, int n, float mul, float[] add, double[] sums, float[] lanes) {
        int o0 = row * stride, o1 = o0 + stride, si = row;
        float add0 = add[row], add1 = add[row + 1];
        var f = KernelSpecies.F;
        int l = f.length();
        FloatVector e2 = FloatVector.broadcast(f, E2), e3 = FloatVector.broadcast(f, E3);
        FloatVector e4 = FloatVector.broadcast(f, E4), e5 = FloatVector.broadcast(f, E5);
        FloatVector one = FloatVector.broadcast(f, 1f);
        FloatVector u0 = FloatVector.zero(f), c0 = u0, u1 = u0, c1 = u0;
        for (int j = 0; j < n; j += l) {
            FloatVector x0 = FloatVector.fromArray(f, a, o0 + j).fma(mul, add0);
            FloatVector x1 = FloatVector.fromArray(f, a, o1 + j).fma(mul, add1);
            x0 = x0.blend(FLOOR2, x0.lt(FLOOR2));
            x1 = x1.blend(FLOOR2, x1.lt(FLOOR2));
            FloatVector t0 = x0.add(ROUND), t1 = x1.add(ROUND);
            FloatVector r0 = x0.sub(t0.sub(ROUND)), r1 = x1.sub(t1.sub(ROUND));
            FloatVector p0 = r0.fma(E0, E1), p1 = r1.fma(E0, E1);
            p0 = p0.fma(r0, e2);
            p1 = p1.fma(r1, e2);
            p0 = p0.fma(r0, e3);
            p1 = p1.fma(r1, e3);
            p0 = p0.fma(r0, e4);
            p1 = p1.fma(r1, e4);
            p0 = p0.fma(r0, e5);
            p1 = p1.fma(r1, e5);
            p0 = p0.fma(r0, one);
            p1 = p1.fma(r1, one);
            // t = 1.5·2^23 + n, so its low mantissa bits hold n (two's complement) and (bits + 127) << 23 is 2^n:
            // the constant's own bits are shifted out
            FloatVector w0 = p0.mul(t0.reinterpretAsInts()
                    .add(127)
                    .lanewise(VectorOperators.LSHL, 23)
                    .reinterpretAsFloats());
            FloatVector w1 = p1.mul(t1.reinterpretAsInts()
                    .add(127)
                    .lanewise(VectorOperators.LSHL, 23)
                    .reinterpretAsFloats());
            w0.intoArray(a, o0 + j);
            w1.intoArray(a, o1 + j);
            FloatVector y0 = w0.sub(c0), y1 = w1.sub(c1);
            FloatVector v0 = u0.add(y0), v1 = u1.add(y1);
            c0 = v0.sub(u0).sub(y0);
            c1 = v1.sub(u1).sub(y1);
            u0 = v0;
            u1 = v1;
        }
        u0.intoArray(lanes, 0);
        u1.intoArray(lanes, l);
        c0.intoArray(lanes, 2 * l);
        c1.intoArray(lanes, 3 * l);
        double s0 = 0, s1 = 0;
        for (int i = 0; i < l; i++) {
            s0 += lanes[i];
            s1 += lanes[l + i];
        }
        for (int i = 0; i < l; i++) {
            s0 -= lanes[2 * l + i];
            s1 -= lanes[3 * l + i];
        }
        sums[si] = s0;
        sums[si + 1] = s1;
    }

    /** {@link #exp2RowsSummed}'s exponential of one float (its reference in tests). */
    public static float exp2NonPositive(float x) {
        float safe = Math.max(x, FLOOR2);
        float t = safe + ROUND;
        float r = safe - (t - ROUND);
        float p = Math.fma(r, E0, E1);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E5);
        float y = Math.fma(p, r, 1f);
        return y * Float.intBitsToFloat((Float.floatToRawIntBits(t) + 127) << 23);
    }
}
