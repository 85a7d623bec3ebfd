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

    @Override
    public DType dtype() {
        return DType.Q4_0;
    }

    @Override
    public MemorySegment segment() {
        return seg;
    }

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

    /** Vector kernel over whole blocks; a partial block at either end goes through the scalar reference. */
    @Override
    public float dot(long offset, float[] x, int xOff, int n) {
        int head = (int) Math.min(n, (32 - offset % 32) % 32);
        float s = head > 0 ? super.dot(offset, x, xOff, head) : 0f;
        int blocks = (n - head) / 32;
        s += Q4_0Kernels.dotBlocks(seg, (offset + head) / 32, blocks, x, xOff + head);
        int done = head + 32 * blocks;
        if (done < n) s += super.dot(offset + done, x, xOff + done, n - done);
        return s;
    }

    @Override
    public void toFloat(long offset, float[] dst, int dstOff, int n) {
        int head = (int) Math.min(n, (32 - offset % 32) % 32);
        if (head > 0) super.toFloat(offset, dst, dstOff, head);
        int blocks = (n - head) / 32;
        Q4_0Kernels.toFloatBlocks(seg, (offset + head) / 32, blocks, dst, dstOff + head);
        int done = head + 32 * blocks;
        if (done < n) super.toFloat(offset + done, dst, dstOff + done, n - done);
    }

    /** Whether Q4_0 rows take the integer dot (property {@code workbench.intdot.q4_0}, default true). */
    private static final boolean INTEGER_DOT = !"false"
            .equalsIgnoreCase(
                    System.getProperty("workbench.intdot.q4_0", "true").trim());

    @Override
    public boolean hasIntegerDot() {
        // On since the shift-based kernel (2026-12-07): the first integer kernel widened with conversions, its
        // C2 compilation hit the node-count cutoff and left its helpers un-inlined (vectors boxed), and it
        // decoded slower than the float path (12.4 vs 44.8 tok/s); see docs/performance-notes.md.
        return INTEGER_DOT;
    }

    @Override
    public float dotQ8(long offset, Q8Activations a, int t) {
        return IntegerDotKernels.dotQ4_0(seg, wholeBlock(offset), a.n() / Q8Activations.BLOCK, a, t);
    }

    @Override
    public long dotPairQ8(long offA, Tensor other, long offB, Q8Activations a, int t) {
        if (!(other instanceof Q4_0Tensor o)) return super.dotPairQ8(offA, other, offB, a, t);
        return IntegerDotKernels.dotPairQ4_0(
                seg, wholeBlock(offA), o.seg, wholeBlock(offB), a.n() / Q8Activations.BLOCK, a, t);
    }
}
