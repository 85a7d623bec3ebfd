package dev.llmcw.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * GGML Q4_0: blocks of 32 values, each an f16 scale then 16 bytes; byte j holds element j in its
 * low nibble and element j+16 in its high nibble; value = (nibble - 8) * scale.
 */
public class Q4_0Tensor extends Tensor {
    static final ValueLayout.OfShort LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected final MemorySegment seg;

    public Q4_0Tensor(long[] shape, MemorySegment seg) {
        super(shape);
        this.seg = seg;
        Tensors.checkSize(this, seg);
    }

    @Override public DType dtype() { return DType.Q4_0; }
    @Override public MemorySegment segment() { return seg; }

    @Override
    public float get(long index) {
        long block = index / 32;
        int within = (int) (index % 32);
        long base = block * 18;
        float scale = Float.float16ToFloat(seg.get(LE, base));
        int b = seg.get(ValueLayout.JAVA_BYTE, base + 2 + (within & 15)) & 0xFF;
        int nibble = within < 16 ? (b & 0x0F) : (b >>> 4);
        return (nibble - 8) * scale;
    }
}
