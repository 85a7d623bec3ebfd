package dev.llmcw.tensor;

import static dev.llmcw.tensor.KernelSpecies.F;
import static dev.llmcw.tensor.KernelSpecies.I;
import static dev.llmcw.tensor.KernelSpecies.I16LE;
import static dev.llmcw.tensor.KernelSpecies.L;
import static dev.llmcw.tensor.KernelSpecies.LE;
import static dev.llmcw.tensor.KernelSpecies.S;
import static dev.llmcw.tensor.KernelSpecies.sum;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** SIMD kernels over little-endian bfloat16 storage: dot products with float activations and conversion to floats. */
final class BF16Kernels {
    private BF16Kernels() {}

    /** Lanes of bfloat16 at byteOff widened to floats (a bfloat16 is a float's upper half). */
    private static FloatVector bf16(MemorySegment w, long byteOff) {
        ShortVector s = ShortVector.fromMemorySegment(S, w, byteOff, LE);
        IntVector i = (IntVector) s.convertShape(VectorOperators.S2I, I, 0);
        return i.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        long base = off * 2;
        int i = 0;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            a0 = bf16(w, base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = bf16(w, base + 2L * (i + L)).fma(FloatVector.fromArray(F, x, xOff + i + L), a1);
        }
        for (int bound = n - L; i <= bound; i += L) {
            a0 = bf16(w, base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
        }
        float s = sum(a0.add(a1));
        for (; i < n; i++) s += Half.bf16ToFloat(w.get(I16LE, base + 2L * i)) * x[xOff + i];
        return s;
    }

    /** {@link #dot} of two rows in one loop; bit-identical to two calls (see {@link F32Kernels#dot2}). */
    static long dot2(MemorySegment wa, long offA, MemorySegment wb, long offB, float[] x, int xOff, int n) {
        long baseA = offA * 2, baseB = offB * 2;
        int i = 0;
        FloatVector a0 = FloatVector.zero(F),
                a1 = FloatVector.zero(F),
                b0 = FloatVector.zero(F),
                b1 = FloatVector.zero(F);
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i), x1 = FloatVector.fromArray(F, x, xOff + i + L);
            a0 = bf16(wa, baseA + 2L * i).fma(x0, a0);
            b0 = bf16(wb, baseB + 2L * i).fma(x0, b0);
            a1 = bf16(wa, baseA + 2L * (i + L)).fma(x1, a1);
            b1 = bf16(wb, baseB + 2L * (i + L)).fma(x1, b1);
        }
        for (int bound = n - L; i <= bound; i += L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            a0 = bf16(wa, baseA + 2L * i).fma(x0, a0);
            b0 = bf16(wb, baseB + 2L * i).fma(x0, b0);
        }
        float sa = sum(a0.add(a1)), sb = sum(b0.add(b1));
        for (; i < n; i++) {
            sa += Half.bf16ToFloat(wa.get(I16LE, baseA + 2L * i)) * x[xOff + i];
            sb += Half.bf16ToFloat(wb.get(I16LE, baseB + 2L * i)) * x[xOff + i];
        }
        return FloatPair.pack(sa, sb);
    }

    static void toFloat(MemorySegment w, long off, float[] dst, int dstOff, int n) {
        long base = off * 2;
        int i = 0;
        for (int bound = n - L; i <= bound; i += L) bf16(w, base + 2L * i).intoArray(dst, dstOff + i);
        for (; i < n; i++) dst[dstOff + i] = Half.bf16ToFloat(w.get(I16LE, base + 2L * i));
    }
}
