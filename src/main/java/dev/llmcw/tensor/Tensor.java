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
