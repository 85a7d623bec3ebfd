package dev.llmcw.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** GGML Q8_0: blocks of 32 values, each an f16 scale followed by 32 signed bytes. */
public class Q8_0Tensor extends Tensor {
    static final ValueLayout.OfShort LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected final MemorySegment seg;

    public Q8_0Tensor(long[] shape, MemorySegment seg) {
        super(shape);
        this.seg = seg;
        Tensors.checkSize(this, seg);
    }

    @Override public DType dtype() { return DType.Q8_0; }
    @Override public MemorySegment segment() { return seg; }

    @Override
    public float get(long index) {
        long block = index / 32;
        int within = (int) (index % 32);
        long base = block * 34;
        float scale = Float.float16ToFloat(seg.get(LE, base));
        return scale * seg.get(ValueLayout.JAVA_BYTE, base + 2 + within);
    }
}
