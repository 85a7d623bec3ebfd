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
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** SIMD kernels over little-endian IEEE half storage: dot products with float activations and conversion to floats. */
final class F16Kernels {
    private F16Kernels() {}

    /** 2^112: rescales a half's exponent (bias 15) placed in a float (bias 127); exact for subnormals too. */
    private static final float HALF_TO_FLOAT_SCALE = 0x1.0p112f;

    /**
     * IEEE half → float on lanes: magnitude bits shifted into float position and multiplied by 2^112
     * (exact for normal and subnormal halves); infinities and NaNs (exponent 31) are patched by mask.
     */
    private static FloatVector f16(MemorySegment w, long byteOff) {
        ShortVector s = ShortVector.fromMemorySegment(S, w, byteOff, LE);
        IntVector h = (IntVector) s.convertShape(VectorOperators.S2I, I, 0); // sign-extended
        IntVector mag = h.lanewise(VectorOperators.AND, 0x7FFF);
        IntVector sign = h.lanewise(VectorOperators.AND, 0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector shifted = mag.lanewise(VectorOperators.LSHL, 13);
        IntVector finite =
                shifted.reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE).reinterpretAsInts();
        VectorMask<Integer> special = mag.compare(VectorOperators.GE, 0x7C00);
        IntVector bits = finite.blend(shifted.lanewise(VectorOperators.OR, 0x7F800000), special);
        return bits.lanewise(VectorOperators.OR, sign).reinterpretAsFloats();
    }

    static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        long base = off * 2;
        int i = 0;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            a0 = f16(w, base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = f16(w, base + 2L * (i + L)).fma(FloatVector.fromArray(F, x, xOff + i + L), a1);
        }
        for (int bound = n - L; i <= bound; i += L) {
            a0 = f16(w, base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
        }
        float s = sum(a0.add(a1));
        for (; i < n; i++) s += Float.float16ToFloat(w.get(I16LE, base + 2L * i)) * x[xOff + i];
        return s;
    }

    static void toFloat(MemorySegment w, long off, float[] dst, int dstOff, int n) {
        long base = off * 2;
        int i = 0;
        for (int bound = n - L; i <= bound; i += L) f16(w, base + 2L * i).intoArray(dst, dstOff + i);
        for (; i < n; i++) dst[dstOff + i] = Float.float16ToFloat(w.get(I16LE, base + 2L * i));
    }
}
