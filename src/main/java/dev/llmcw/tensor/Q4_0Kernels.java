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

/** SIMD kernels over GGML Q4_0 blocks (32 nibbles offset by 8 and a half scale, 18 bytes a block). */
final class Q4_0Kernels {
    private Q4_0Kernels() {}

    /** Sum over the full blocks [firstBlock, firstBlock+blocks) of Q4_0 values times x (x aligned to the first block). */
    static float dotBlocks(MemorySegment w, long firstBlock, int blocks, float[] x, int xOff) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * 18;
            float scale = Float.float16ToFloat(w.get(I16LE, base));
            int xi = xOff + 32 * b;
            ByteVector q = ByteVector.fromMemorySegment(B128, w, base + 2, LE);
            ByteVector lo = q.lanewise(VectorOperators.AND, (byte) 0x0F).sub((byte) 8);
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4)
                    .lanewise(VectorOperators.AND, (byte) 0x0F)
                    .sub((byte) 8);
            FloatVector blockAcc = FloatVector.zero(F);
            for (int p = 0; p < PARTS; p++) {
                blockAcc = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p))
                        .fma(FloatVector.fromArray(F, x, xi + p * L), blockAcc);
                blockAcc = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p))
                        .fma(FloatVector.fromArray(F, x, xi + 16 + p * L), blockAcc);
            }
            acc = blockAcc.fma(FloatVector.broadcast(F, scale), acc);
        }
        return sum(acc);
    }

    static void toFloatBlocks(MemorySegment w, long firstBlock, int blocks, float[] dst, int dstOff) {
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * 18;
            FloatVector scale = FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16LE, base)));
            int di = dstOff + 32 * b;
            ByteVector q = ByteVector.fromMemorySegment(B128, w, base + 2, LE);
            ByteVector lo = q.lanewise(VectorOperators.AND, (byte) 0x0F).sub((byte) 8);
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4)
                    .lanewise(VectorOperators.AND, (byte) 0x0F)
                    .sub((byte) 8);
            for (int p = 0; p < PARTS; p++) {
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p))
                        .mul(scale)
                        .intoArray(dst, di + p * L);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p))
                        .mul(scale)
                        .intoArray(dst, di + 16 + p * L);
            }
        }
    }
}
