package dev.llmcw.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A read-only tensor in one storage type, usually a view of a memory-mapped file.
 * Indexing is row-major over {@link #shape()}; for a weight matrix W[out][in] the shape is {out, in}.
 * One subclass per storage type (llama3.java style); kernels live in the subclasses with a scalar
 * reference in this base class.
 */
public abstract class Tensor {
    protected final long[] shape;
    protected final long numel;

    protected Tensor(long[] shape) {
        this.shape = shape.clone();
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        this.numel = n;
    }

    public abstract DType dtype();

    /** The bytes backing this tensor (exactly {@link #byteSize()} long). */
    public abstract MemorySegment segment();

    public abstract float get(long index);

    public final long[] shape() {
        return shape.clone();
    }

    public final long numel() {
        return numel;
    }

    public final int rank() {
        return shape.length;
    }

    public long byteSize() {
        return dtype().bytesFor(numel);
    }

    /** Rows of a matrix (first dimension); 1 for a vector. */
    public final int rows() {
        return shape.length == 1 ? 1 : Math.toIntExact(shape[0]);
    }
    /** Columns of a matrix (last dimension). */
    public final int cols() {
        return Math.toIntExact(shape[shape.length - 1]);
    }

    /** Scalar reference: sum_{i<n} this[offset+i] * x[xOff+i]. Subclasses override with vector kernels. */
    public float dot(long offset, float[] x, int xOff, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += get(offset + i) * x[xOff + i];
        return s;
    }

    /**
     * this[offA..)·x and other[offB..)·x (n values each) packed by {@link FloatPair#pack}: the
     * row-pair form of {@link #dot} that matrix–vector products use. Always bit-identical to the two
     * {@link #dot} calls; storage types with a pair kernel override it to run both rows in one loop.
     */
    public long dotPair(long offA, Tensor other, long offB, float[] x, int xOff, int n) {
        return FloatPair.pack(dot(offA, x, xOff, n), other.dot(offB, x, xOff, n));
    }

    /**
     * Whether {@link #dotQ8} runs on this storage type: integer products of the stored blocks with
     * activations quantized to Q8 blocks (Q8_0 and Q4_0 weights), the decode path of quantized GGUF models.
     */
    public boolean hasIntegerDot() {
        return false;
    }

    /**
     * this[offset .. offset + a.n()) · (row t of a) by integer products per block of 32 (offset a multiple of
     * 32). Differs from {@link #dot} of the float row by the activations' rounding: at most, per block,
     * d_x/2 · Σ|w| (d_x the block's activation scale). Only where {@link #hasIntegerDot}.
     */
    public float dotQ8(long offset, Q8Activations a, int t) {
        throw new UnsupportedOperationException(dtype() + " tensors have no integer dot product");
    }

    /** {@link #dotQ8} of this[offA..) and other[offB..), packed by {@link FloatPair#pack}; bit-identical to two calls. */
    public long dotPairQ8(long offA, Tensor other, long offB, Q8Activations a, int t) {
        return FloatPair.pack(dotQ8(offA, a, t), other.dotQ8(offB, a, t));
    }

    /**
     * Whether {@link #dotQ8K} runs on this storage type: integer products of K-quant super-blocks (Q2_K …
     * Q6_K) with activations quantized to llama.cpp's Q8_K blocks of 256, as llama.cpp's CPU backend
     * multiplies them.
     */
    public boolean hasQ8KDot() {
        return false;
    }

    /**
     * this[offset .. offset + a.n()) · (row t of a) by integer products per super-block of 256 (offset a
     * multiple of 256), bit-identical to llama.cpp's reference {@code ggml_vec_dot_*_q8_K}. Only where
     * {@link #hasQ8KDot}.
     */
    public float dotQ8K(long offset, Q8KActivations a, int t) {
        throw new UnsupportedOperationException(dtype() + " tensors have no Q8_K dot product");
    }

    /** {@link #dotQ8K} of this[offA..) and other[offB..), packed by {@link FloatPair#pack}. */
    public long dotPairQ8K(long offA, Tensor other, long offB, Q8KActivations a, int t) {
        return FloatPair.pack(dotQ8K(offA, a, t), other.dotQ8K(offB, a, t));
    }

    /** The block index of an offset that must start a block of 32 for {@link #dotQ8}. */
    static long wholeBlock(long offset) {
        if (offset % Q8Activations.BLOCK != 0)
            throw new IllegalArgumentException(
                    "integer dot needs a row starting on a block of 32, got offset " + offset);
        return offset / Q8Activations.BLOCK;
    }

    /** Scalar reference: dst[dstOff+i] = this[offset+i] for i < n. */
    public void toFloat(long offset, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) dst[dstOff + i] = get(offset + i);
    }

    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(numel)];
        toFloat(0, out, 0, out.length);
        return out;
    }

    @Override
    public String toString() {
        return dtype() + Arrays.toString(shape);
    }
}
