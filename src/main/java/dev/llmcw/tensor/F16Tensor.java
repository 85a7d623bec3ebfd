package dev.llmcw.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian IEEE half-precision tensor. */
public class F16Tensor extends Tensor {
    static final ValueLayout.OfShort LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected final MemorySegment seg;

    public F16Tensor(long[] shape, MemorySegment seg) {
        super(shape);
        this.seg = seg;
        Tensors.checkSize(this, seg);
    }

    @Override
    public DType dtype() {
        return DType.F16;
    }

    @Override
    public MemorySegment segment() {
        return seg;
    }

    @Override
    public float get(long index) {
        return Float.float16ToFloat(seg.getAtIndex(LE, index));
    }

    @Override
    public float dot(long offset, float[] x, int xOff, int n) {
        return F16Kernels.dot(seg, offset, x, xOff, n);
    }

    @Override
    public void toFloat(long offset, float[] dst, int dstOff, int n) {
        F16Kernels.toFloat(seg, offset, dst, dstOff, n);
    }
}
