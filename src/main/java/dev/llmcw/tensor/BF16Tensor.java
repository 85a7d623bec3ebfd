package dev.llmcw.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian bfloat16 tensor. */
public class BF16Tensor extends Tensor {
    static final ValueLayout.OfShort LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected final MemorySegment seg;

    public BF16Tensor(long[] shape, MemorySegment seg) {
        super(shape);
        this.seg = seg;
        Tensors.checkSize(this, seg);
    }

    @Override
    public DType dtype() {
        return DType.BF16;
    }

    @Override
    public MemorySegment segment() {
        return seg;
    }

    @Override
    public float get(long index) {
        return Half.bf16ToFloat(seg.getAtIndex(LE, index));
    }

    @Override
    public float dot(long offset, float[] x, int xOff, int n) {
        return BF16Kernels.dot(seg, offset, x, xOff, n);
    }

    @Override
    public long dotPair(long offA, Tensor other, long offB, float[] x, int xOff, int n) {
        if (other instanceof BF16Tensor o) return BF16Kernels.dot2(seg, offA, o.seg, offB, x, xOff, n);
        return super.dotPair(offA, other, offB, x, xOff, n);
    }

    @Override
    public void toFloat(long offset, float[] dst, int dstOff, int n) {
        BF16Kernels.toFloat(seg, offset, dst, dstOff, n);
    }
}
