package dev.llmcw.tensor;

import static dev.llmcw.tensor.KernelSpecies.B128;
import static dev.llmcw.tensor.KernelSpecies.F;
import static dev.llmcw.tensor.KernelSpecies.I16LE;
import static dev.llmcw.tensor.KernelSpecies.L;
import static dev.llmcw.tensor.KernelSpecies.LE;
import static dev.llmcw.tensor.KernelSpecies.PARTS;
import static dev.llmcw.tensor.KernelSpecies.sum;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** SIMD kernels over GGML Q8_0 blocks (32 signed bytes and a half scale, 34 bytes a block). */
final class Q8_0Kernels {
    private Q8_0Kernels() {}

    /** Sum over the full blocks [firstBlock, firstBlock+blocks) of Q8_0 values times x (x aligned to the first block). */
    static float dotBlocks(MemorySegment w, long firstBlock, int blocks, float[] x, int xOff) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * 34;
            float scale = Float.float16ToFloat(w.get(I16LE, base));
            int xi = xOff + 32 * b;
            FloatVector blockAcc = FloatVector.zero(F);
            for (int half = 0; half < 2; half++) {
                ByteVector q = ByteVector.fromMemorySegment(B128, w, base + 2 + 16L * half, LE);
                for (int p = 0; p < PARTS; p++) {
                    FloatVector wf = (FloatVector) q.convertShape(VectorOperators.B2F, F, p);
                    blockAcc = wf.fma(FloatVector.fromArray(F, x, xi + 16 * half + p * L), blockAcc);
                }
            }
            acc = blockAcc.fma(FloatVector.broadcast(F, scale), acc);
        }
        return sum(acc);
    }

    static void toFloatBlocks(MemorySegment w, long firstBlock, int blocks, float[] dst, int dstOff) {
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * 34;
            FloatVector scale = FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16LE, base)));
            int di = dstOff + 32 * b;
            for (int half = 0; half < 2; half++) {
                ByteVector q = ByteVector.fromMemorySegment(B128, w, base + 2 + 16L * half, LE);
                for (int p = 0; p < PARTS; p++) {
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, p))
                            .mul(scale)
                            .intoArray(dst, di + 16 * half + p * L);
                }
            }
        }
    }
}
