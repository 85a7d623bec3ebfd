package dev.llmcw.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A tensor in one of llama.cpp's block types beyond Q8_0/Q4_0: Q4_1, Q5_0, Q5_1, IQ4_NL (32 values a block)
 * and the K-quants Q2_K … Q6_K (super-blocks of 256), read in place from the packed blocks. Values are
 * bit-identical to llama.cpp's dequantisation ({@link GgmlDequant}); dot products and conversions run
 * {@link GgmlBlockKernels} over whole blocks, a partial block at either end the scalar reference.
 */
public final class GgmlBlockTensor extends Tensor {
    private static final ThreadLocal<LastBlock> LAST_BLOCK = ThreadLocal.withInitial(LastBlock::new);
    private final DType type;
    private final MemorySegment seg;

    public GgmlBlockTensor(DType type, long[] shape, MemorySegment seg) {
        super(shape);
        if (!type.isBlockType() || type == DType.Q8_0 || type == DType.Q4_0) {
            throw new IllegalArgumentException(type + " has its own tensor class");
        }
        this.type = type;
        this.seg = seg;
        Tensors.checkSize(this, seg);
    }

    @Override
    public DType dtype() {
        return type;
    }

    @Override
    public MemorySegment segment() {
        return seg;
    }

    /**
     * Decodes the whole block (K-quant scales are shared across it) and keeps it for the next call: the
     * scalar paths (partial blocks, reference checks) read values in order, so most calls hit the last block.
     */
    @Override
    public float get(long index) {
        LastBlock last = LAST_BLOCK.get();
        long b = index / type.blockSize();
        if (last.tensor != this || last.block != b) {
            GgmlDequant.block(type, seg, b * type.blockBytes(), last.values, 0);
            last.tensor = this;
            last.block = b;
        }
        return last.values[(int) (index - b * type.blockSize())];
    }

    /** The block {@link #get} decoded last on this thread (tensors are read-only, so it never goes stale). */
    private static final class LastBlock {
        final float[] values = new float[DType.QK_K];
        GgmlBlockTensor tensor;
        long block = -1;
    }

    @Override
    public float dot(long offset, float[] x, int xOff, int n) {
        int bs = type.blockSize();
        int head = (int) Math.min(n, (bs - offset % bs) % bs);
        float s = head > 0 ? super.dot(offset, x, xOff, head) : 0f;
        int blocks = (n - head) / bs;
        s += GgmlBlockKernels.dotBlocks(type, seg, (offset + head) / bs, blocks, x, xOff + head);
        int done = head + bs * blocks;
        if (done < n) s += super.dot(offset + done, x, xOff + done, n - done);
        return s;
    }

    @Override
    public boolean hasQ8KDot() {
        return KQuantDotKernels.handles(type);
    }

    @Override
    public float dotQ8K(long offset, Q8KActivations a, int t) {
        if (!hasQ8KDot()) return super.dotQ8K(offset, a, t);
        if (offset % DType.QK_K != 0)
            throw new IllegalArgumentException(
                    "Q8_K dot needs a row starting on a super-block of 256, got offset " + offset);
        return KQuantDotKernels.dot(type, seg, offset / DType.QK_K, a.n() / DType.QK_K, a, t);
    }

    /**
     * Q5_0, Q5_1, Q4_1 and IQ4_NL rows multiply Q8 activations in integers, as Q8_0 and Q4_0 do (llama.cpp's
     * vec_dot_type Q8_0, or Q8_1 for the types with an offset m: the activations' block sums then carry m·Σx).
     */
    @Override
    public boolean hasIntegerDot() {
        return switch (type) {
            case Q5_0, Q5_1, Q4_1, IQ4_NL -> true;
            default -> false;
        };
    }

    @Override
    public float dotQ8(long offset, Q8Activations a, int t) {
        int blocks = a.n() / Q8Activations.BLOCK;
        return switch (type) {
            case Q5_0 -> Q5DotKernels.dotQ5_0(seg, wholeBlock(offset), blocks, a, t);
            case Q5_1 -> Q5DotKernels.dotQ5_1(seg, wholeBlock(offset), blocks, a, t);
            case Q4_1 -> Q4_1Dots.dot(seg, wholeBlock(offset), blocks, a, t);
            case IQ4_NL -> Iq4NlDots.dot(seg, wholeBlock(offset), blocks, a, t);
            default -> super.dotQ8(offset, a, t);
        };
    }

    @Override
    public void toFloat(long offset, float[] dst, int dstOff, int n) {
        int bs = type.blockSize();
        int head = (int) Math.min(n, (bs - offset % bs) % bs);
        if (head > 0) super.toFloat(offset, dst, dstOff, head);
        int blocks = (n - head) / bs;
        GgmlBlockKernels.toFloatBlocks(type, seg, (offset + head) / bs, blocks, dst, dstOff + head);
        int done = head + bs * blocks;
        if (done < n) super.toFloat(offset + done, dst, dstOff + done, n - done);
    }
}
