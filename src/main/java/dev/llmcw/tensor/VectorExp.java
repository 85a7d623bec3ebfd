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
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /** Lanes of {@link VectorKernels#F} (the species is that constant, not x.species(): see LlamaEngine.F). */
    public static FloatVector exp(FloatVector x) {
        // clamp by compare and blend rather than max(): see LlamaEngine.softmaxWeightedValues
        VectorMask<Float> under = x.lt(CUTOFF);
        FloatVector safe = x.blend(CUTOFF, under);
        FloatVector n = safe.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(VectorKernels.F, -LN2_HI), safe);
        r = n.fma(FloatVector.broadcast(VectorKernels.F, -LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, FloatVector.broadcast(VectorKernels.F, P2));
        p = p.fma(r, FloatVector.broadcast(VectorKernels.F, P3));
        p = p.fma(r, FloatVector.broadcast(VectorKernels.F, P4));
        p = p.fma(r, FloatVector.broadcast(VectorKernels.F, P5));
        FloatVector y = p.mul(r).fma(r, r).add(1f);
        IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
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
}
