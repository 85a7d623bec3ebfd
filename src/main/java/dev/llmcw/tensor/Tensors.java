package dev.llmcw.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** Factory and checks shared by all storage types. */
public final class Tensors {
    private Tensors() {}

    /** Wraps {@code seg} (exactly the tensor's bytes) as a tensor of the given type and shape. */
    public static Tensor wrap(DType type, long[] shape, MemorySegment seg) {
        return switch (type) {
            case F32 -> new F32Tensor(shape, seg);
            case F16 -> new F16Tensor(shape, seg);
            case BF16 -> new BF16Tensor(shape, seg);
            case Q8_0 -> new Q8_0Tensor(shape, seg);
            case Q4_0 -> new Q4_0Tensor(shape, seg);
            case Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL -> new GgmlBlockTensor(type, shape, seg);
        };
    }

    static void checkSize(Tensor t, MemorySegment seg) {
        long need = t.dtype().bytesFor(t.numel());
        if (seg.byteSize() != need) {
            throw new IllegalArgumentException(t.dtype() + " tensor of shape " + Arrays.toString(t.shape) + " needs "
                    + need + " bytes but its data has " + seg.byteSize());
        }
    }
}
