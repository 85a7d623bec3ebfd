package dev.llmcw.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian float32 tensor. */
public class F32Tensor extends Tensor {
    static final ValueLayout.OfFloat LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected final MemorySegment seg;

    public F32Tensor(long[] shape, MemorySegment seg) {
        super(shape);
        this.seg = seg;
        Tensors.checkSize(this, seg);
    }

    /** A heap tensor over a copy-free view of {@code data}. */
    public static F32Tensor of(float[] data, long... shape) {
        return new F32Tensor(shape, MemorySegment.ofArray(data));
    }

    @Override
    public DType dtype() {
        return DType.F32;
    }

    @Override
    public MemorySegment segment() {
        return seg;
    }

    @Override
    public float get(long index) {
        return seg.getAtIndex(LE, index);
    }

    @Override
    public float dot(long offset, float[] x, int xOff, int n) {
        return F32Kernels.dot(seg, offset, x, xOff, n);
    }

    @Override
    public long dotPair(long offA, Tensor other, long offB, float[] x, int xOff, int n) {
        if (other instanceof F32Tensor o) return F32Kernels.dot2(seg, offA, o.seg, offB, x, xOff, n);
        return super.dotPair(offA, other, offB, x, xOff, n);
    }

    @Override
    public void toFloat(long offset, float[] dst, int dstOff, int n) {
        F32Kernels.toFloat(seg, offset, dst, dstOff, n);
    }
}
