package dev.llmcw.tensor;

import static dev.llmcw.tensor.KernelSpecies.F;
import static dev.llmcw.tensor.KernelSpecies.F32LE;
import static dev.llmcw.tensor.KernelSpecies.L;
import static dev.llmcw.tensor.KernelSpecies.LE;
import static dev.llmcw.tensor.KernelSpecies.sum;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** SIMD kernels over little-endian float32 storage: dot products with float activations and conversion to floats. */
final class F32Kernels {
    private F32Kernels() {}

    static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        long base = off * 4;
        int i = 0;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            a0 = FloatVector.fromMemorySegment(F, w, base + 4L * i, LE).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = FloatVector.fromMemorySegment(F, w, base + 4L * (i + L), LE)
                    .fma(FloatVector.fromArray(F, x, xOff + i + L), a1);
        }
        for (int bound = n - L; i <= bound; i += L) {
            a0 = FloatVector.fromMemorySegment(F, w, base + 4L * i, LE).fma(FloatVector.fromArray(F, x, xOff + i), a0);
        }
        float s = sum(a0.add(a1));
        for (; i < n; i++) s += w.get(F32LE, base + 4L * i) * x[xOff + i];
        return s;
    }

    /**
     * {@link #dot} of two rows (possibly of different tensors) against the same x in one loop: four
     * independent FMA chains instead of two and each x vector loaded once. Each row keeps exactly the
     * single-row accumulation order (same lanes into a0/a1, same final sum, same scalar tail), so the
     * results are bit-identical to two {@link #dot} calls.
     */
    static long dot2(MemorySegment wa, long offA, MemorySegment wb, long offB, float[] x, int xOff, int n) {
        long baseA = offA * 4, baseB = offB * 4;
        int i = 0;
        FloatVector a0 = FloatVector.zero(F),
                a1 = FloatVector.zero(F),
                b0 = FloatVector.zero(F),
                b1 = FloatVector.zero(F);
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i), x1 = FloatVector.fromArray(F, x, xOff + i + L);
            a0 = FloatVector.fromMemorySegment(F, wa, baseA + 4L * i, LE).fma(x0, a0);
            b0 = FloatVector.fromMemorySegment(F, wb, baseB + 4L * i, LE).fma(x0, b0);
            a1 = FloatVector.fromMemorySegment(F, wa, baseA + 4L * (i + L), LE).fma(x1, a1);
            b1 = FloatVector.fromMemorySegment(F, wb, baseB + 4L * (i + L), LE).fma(x1, b1);
        }
        for (int bound = n - L; i <= bound; i += L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            a0 = FloatVector.fromMemorySegment(F, wa, baseA + 4L * i, LE).fma(x0, a0);
            b0 = FloatVector.fromMemorySegment(F, wb, baseB + 4L * i, LE).fma(x0, b0);
        }
        float sa = sum(a0.add(a1)), sb = sum(b0.add(b1));
        for (; i < n; i++) {
            sa += wa.get(F32LE, baseA + 4L * i) * x[xOff + i];
            sb += wb.get(F32LE, baseB + 4L * i) * x[xOff + i];
        }
        return FloatPair.pack(sa, sb);
    }

    static void toFloat(MemorySegment w, long off, float[] dst, int dstOff, int n) {
        MemorySegment.copy(w, F32LE, off * 4, dst, dstOff, n);
    }
}
