package dev.llmcw.engine.train;

import dev.llmcw.tensor.VectorKernels;
import dev.llmcw.util.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * LoRA-style adapter around a frozen (or itself trainable) layer: y = base(x) + A·(B·x), with A (out×r)
 * and B (r×in) trainable {@link Parameter}s, row-major. The r-dimensional B·x is recomputed in backward
 * rather than kept (r·batch floats, cheaper to recompute than to hold per layer).
 *
 * <p>Backward, with z = B·x per row: dA += dyᵀ·z, dz = dy·A, dB += dzᵀ·x, dx = base'(dy) + dz·B.
 */
public final class LowRankAdapterLinear implements TrainableLinear {
    private final TrainableLinear base;
    private final Parameter a, b;
    private final int rank, in, out;

    public LowRankAdapterLinear(TrainableLinear base, Parameter a, Parameter b, int rank) {
        this.base = Objects.requireNonNull(base, "base");
        this.a = Objects.requireNonNull(a, "a");
        this.b = Objects.requireNonNull(b, "b");
        this.rank = rank;
        this.in = base.inFeatures();
        this.out = base.outFeatures();
        if (rank <= 0) throw new IllegalArgumentException("adapter rank must be positive, got " + rank);
        if (a.value().length != (long) out * rank)
            throw new IllegalArgumentException(a.name() + " has " + a.value().length + " values, an adapter A of " + out
                    + "×" + rank + " needs " + (long) out * rank);
        if (b.value().length != (long) rank * in)
            throw new IllegalArgumentException(b.name() + " has " + b.value().length + " values, an adapter B of "
                    + rank + "×" + in + " needs " + (long) rank * in);
    }

    public TrainableLinear base() {
        return base;
    }

    public Parameter a() {
        return a;
    }

    public Parameter b() {
        return b;
    }

    public int rank() {
        return rank;
    }

    @Override
    public int inFeatures() {
        return in;
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public void forward(float[] x, float[] y, int batch) {
        base.forward(x, y, batch);
        float[] z = down(x, batch), av = a.value();
        Parallel.forRange(0, batch, rowGrain(out), t -> {
            for (int o = 0; o < out; o++) y[t * out + o] += VectorKernels.dot(av, o * rank, z, t * rank, rank);
        });
    }

    @Override
    public void backward(float[] x, float[] dy, float[] dx, int batch) {
        base.backward(x, dy, dx, batch);
        float[] z = down(x, batch), dz = new float[batch * rank];
        float[] av = a.value(), bv = b.value(), ga = a.grad(), gb = b.grad();
        Parallel.forRange(0, batch, rowGrain(out), t -> {
            for (int o = 0; o < out; o++) VectorKernels.axpy(dy[t * out + o], av, o * rank, dz, t * rank, rank);
        });
        Parallel.forRange(0, out, rowGrain(batch), o -> {
            for (int t = 0; t < batch; t++) VectorKernels.axpy(dy[t * out + o], z, t * rank, ga, o * rank, rank);
        });
        Parallel.forRange(0, rank, 1, j -> {
            for (int t = 0; t < batch; t++) VectorKernels.axpy(dz[t * rank + j], x, t * in, gb, j * in, in);
        });
        Parallel.forRange(0, batch, rowGrain(in), t -> {
            for (int j = 0; j < rank; j++) VectorKernels.axpy(dz[t * rank + j], bv, j * in, dx, t * in, in);
        });
    }

    /** z = B·x, batch×r. */
    private float[] down(float[] x, int batch) {
        float[] z = new float[batch * rank], bv = b.value();
        Parallel.forRange(0, batch, rowGrain(in), t -> {
            for (int j = 0; j < rank; j++) z[t * rank + j] = VectorKernels.dot(bv, j * in, x, t * in, in);
        });
        return z;
    }

    /** Rows per parallel chunk: a few thousand multiply-adds at least, so small layers run serially. */
    private int rowGrain(int width) {
        return Math.max(1, 8192 / Math.max(1, width * rank));
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> p = new ArrayList<>(base.parameters());
        p.add(a);
        p.add(b);
        return List.copyOf(p);
    }
}
