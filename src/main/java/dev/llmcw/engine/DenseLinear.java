package dev.llmcw.engine;

import dev.llmcw.tensor.Linear;
import dev.llmcw.tensor.Tensor;

/** y = W·x (+ bias) over a stored weight matrix W[out][in] of any storage type; rows in parallel. */
public final class DenseLinear implements Linear {
    private final Tensor weight;
    private final float[] bias;
    private final int in, out;

    public DenseLinear(Tensor weight, float[] bias) {
        if (weight.rank() != 2) throw new IllegalArgumentException("linear weight must be 2-D, got " + weight);
        this.weight = weight;
        this.bias = bias;
        this.out = weight.rows();
        this.in = weight.cols();
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException("bias length " + bias.length + " != out features " + out);
        }
    }

    public DenseLinear(Tensor weight) { this(weight, null); }

    public Tensor weight() { return weight; }

    @Override public int inFeatures() { return in; }
    @Override public int outFeatures() { return out; }
    @Override public long storageBytes() { return weight.byteSize() + (bias == null ? 0 : 4L * bias.length); }
    @Override public String kind() { return "dense " + weight.dtype(); }

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        Parallel.forRange(0, out, 8, o -> {
            long rowOff = (long) o * in;
            float b = bias == null ? 0f : bias[o];
            for (int t = 0; t < batch; t++) {
                y[yOff + t * out + o] = weight.dot(rowOff, x, xOff + t * in, in) + b;
            }
        });
    }
}
