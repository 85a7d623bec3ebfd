package dev.llmcw.tensor;

import static dev.llmcw.tensor.KernelSpecies.F;
import static dev.llmcw.tensor.KernelSpecies.L;
import static dev.llmcw.tensor.KernelSpecies.ROT1;
import static dev.llmcw.tensor.KernelSpecies.ROT2;
import static dev.llmcw.tensor.KernelSpecies.ROT4;
import static dev.llmcw.tensor.KernelSpecies.ROT8;
import static dev.llmcw.tensor.KernelSpecies.maxLanes;
import static dev.llmcw.tensor.KernelSpecies.sum;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * SIMD kernels over float arrays: dot product, maxima, axpy and the SwiGLU activation. The storage
 * types' kernels are {@link F32Kernels}, {@link BF16Kernels}, {@link F16Kernels}, {@link Q8_0Kernels} and
 * {@link Q4_0Kernels}, batched matmul is {@link MatmulKernels}; all take their species from {@link KernelSpecies}.
 */
public final class VectorKernels {
    private VectorKernels() {}

    /** sum_{i<n} a[aOff+i] * b[bOff+i] over heap arrays. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            a0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), a0);
            a1 = FloatVector.fromArray(F, a, aOff + i + L).fma(FloatVector.fromArray(F, b, bOff + i + L), a1);
        }
        for (int bound = n - L; i <= bound; i += L) {
            a0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), a0);
        }
        float s = sum(a0.add(a1));
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    /** max of a[off..off+n) (n ≥ 1), by compare and blend (the Vector API's MAX can fall back to Java code: see SegmentAttention.softmaxWeights). */
    public static float max(float[] a, int off, int n) {
        float m = a[off];
        int i = 0;
        if (n >= L) {
            // two chains (even and odd vectors): one compare-and-blend chain waits its latency every vector
            FloatVector mv = FloatVector.fromArray(F, a, off), m1 = mv;
            for (i = L; i + 2 * L <= n; i += 2 * L) {
                FloatVector v = FloatVector.fromArray(F, a, off + i), w = FloatVector.fromArray(F, a, off + i + L);
                mv = mv.blend(v, mv.lt(v));
                m1 = m1.blend(w, m1.lt(w));
            }
            if (i + L <= n) {
                FloatVector v = FloatVector.fromArray(F, a, off + i);
                mv = mv.blend(v, mv.lt(v));
                i += L;
            }
            mv = mv.blend(m1, mv.lt(m1));
            // across lanes by the same fixed rotations as sum(), no array
            if (L >= 16) mv = maxLanes(mv, ROT8);
            if (L >= 8) mv = maxLanes(mv, ROT4);
            mv = maxLanes(mv, ROT2);
            m = Math.max(m, maxLanes(mv, ROT1).lane(0));
        }
        for (; i < n; i++) m = Math.max(m, a[off + i]);
        return m;
    }

    /**
     * out[b] = max of a[b·stride .. b·stride + n) for the four rows b = 0..3, n a positive multiple of the
     * species length; {@code lanes} holds at least 4 × that length. The four rows are four independent
     * compare-and-blend chains in one loop (row after row, each waited its chain's latency per vector,
     * about a sixth of the packed attention's time), their lanes finished through the array: no vector
     * leaves this method (see SegmentAttention.softmaxWeights).
     */
    public static void max4(float[] a, int stride, int n, float[] out, float[] lanes) {
        int s1 = stride, s2 = 2 * stride, s3 = 3 * stride;
        FloatVector m0 = FloatVector.fromArray(F, a, 0),
                m1 = FloatVector.fromArray(F, a, s1),
                m2 = FloatVector.fromArray(F, a, s2),
                m3 = FloatVector.fromArray(F, a, s3);
        for (int j = L; j < n; j += L) {
            FloatVector v0 = FloatVector.fromArray(F, a, j),
                    v1 = FloatVector.fromArray(F, a, s1 + j),
                    v2 = FloatVector.fromArray(F, a, s2 + j),
                    v3 = FloatVector.fromArray(F, a, s3 + j);
            m0 = m0.blend(v0, m0.lt(v0));
            m1 = m1.blend(v1, m1.lt(v1));
            m2 = m2.blend(v2, m2.lt(v2));
            m3 = m3.blend(v3, m3.lt(v3));
        }
        m0.intoArray(lanes, 0);
        m1.intoArray(lanes, L);
        m2.intoArray(lanes, 2 * L);
        m3.intoArray(lanes, 3 * L);
        for (int b = 0; b < 4; b++) {
            float m = lanes[b * L];
            for (int i = 1; i < L; i++) m = Math.max(m, lanes[b * L + i]);
            out[b] = m;
        }
    }

    /** y[yOff+i] += alpha * x[xOff+i] for i < n. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(F, alpha);
        for (int bound = n - L; i <= bound; i += L) {
            FloatVector.fromArray(F, x, xOff + i)
                    .fma(va, FloatVector.fromArray(F, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /**
     * g[i] = silu(g[i]) * u[i] = g / (1 + e^-g) * u for i in [from, to). Not the Vector API's EXP, which
     * has a different implementation (and last bits) compiled than interpreted: {@link VectorExp}, the
     * same bits either way (e^-g capped at e^88; silu is then 0 to float precision), in place of a
     * scalar Math.exp per element that was a tenth of stories260K's scoring time.
     */
    public static void swiglu(float[] g, float[] u, int from, int to) {
        int i = from;
        // two vectors per step: an exponential is a long dependency chain, and one per step left most of
        // its latency exposed on the development machine (Zen 1)
        for (int bound = to - 2 * L; i <= bound; i += 2 * L) {
            FloatVector gv = FloatVector.fromArray(F, g, i), hv = FloatVector.fromArray(F, g, i + L);
            FloatVector ng = gv.neg(), nh = hv.neg();
            // min(-g, 88) by compare/blend (see VectorExp)
            FloatVector e = VectorExp.exp(ng.blend(88f, ng.compare(VectorOperators.GT, 88f)));
            FloatVector f = VectorExp.exp(nh.blend(88f, nh.compare(VectorOperators.GT, 88f)));
            gv.div(e.add(1f)).mul(FloatVector.fromArray(F, u, i)).intoArray(g, i);
            hv.div(f.add(1f)).mul(FloatVector.fromArray(F, u, i + L)).intoArray(g, i + L);
        }
        // the rest (under two vectors) by the scalar form, the same bits; callers pass whole blocks of rows
        for (; i < to; i++) g[i] = swiglu(g[i], u[i]);
    }

    /**
     * silu(g) * u for one element: the same bits as a lane of the array form (VectorExp's scalar twin,
     * same operation order), so the fused decode paths that call this agree with the layer-by-layer path.
     */
    public static float swiglu(float g, float u) {
        return g / (1f + VectorExp.exp(Math.min(-g, 88f))) * u;
    }
}
