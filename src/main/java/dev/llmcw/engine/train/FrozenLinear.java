package dev.llmcw.engine.train;

import dev.llmcw.engine.DenseLinear;
import dev.llmcw.tensor.F32Tensor;
import dev.llmcw.tensor.Linear;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Any engine {@link Linear}, frozen: forward is the layer's own, backward is dx = Wᵀ·dy.
 *
 * <p>Wᵀ is materialised once, on the first backward, as an F32 matrix [in][out] run by a {@link DenseLinear}
 * (so dx gets the engine's vectorised, multi-threaded kernels): for a {@link DenseLinear} from its stored
 * tensor, for any other layer (compressed, on-the-fly) by probing it with the {@code in} unit vectors in
 * one batch, whose outputs are the columns of W, i.e. the rows of Wᵀ (minus the layer's output for a zero
 * row, in case it adds a bias). Memory: 4·in·out bytes per frozen layer that gradients flow through, plus
 * the DenseLinear's own transposed copy of the same size for small layers — for stories260K all of its
 * layers together are about 2 MB; for a 1B model the classifier alone (128256 × 2048) would be 1 GB.
 */
public final class FrozenLinear implements TrainableLinear {
    private final Linear base;
    private volatile DenseLinear transposed;

    public FrozenLinear(Linear base) {
        this.base = Objects.requireNonNull(base, "base");
    }

    public Linear base() {
        return base;
    }

    @Override
    public int inFeatures() {
        return base.inFeatures();
    }

    @Override
    public int outFeatures() {
        return base.outFeatures();
    }

    @Override
    public void forward(float[] x, float[] y, int batch) {
        base.forward(x, 0, y, 0, batch);
    }

    @Override
    public void backward(float[] x, float[] dy, float[] dx, int batch) {
        transposed().forward(dy, 0, dx, 0, batch);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    private DenseLinear transposed() {
        DenseLinear t = transposed;
        if (t == null) {
            synchronized (this) {
                t = transposed;
                if (t == null) transposed = t = new DenseLinear(F32Tensor.of(transpose(), inFeatures(), outFeatures()));
            }
        }
        return t;
    }

    /** Wᵀ as [in][out], row-major. */
    private static final int PROBE_ROWS = 256;

    private float[] transpose() {
        int in = inFeatures(), out = outFeatures();
        if (base instanceof DenseLinear d) { // its bias, if any, is not part of W
            float[] w = d.weight().toFloatArray(), wt = new float[Math.multiplyExact(in, out)];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) wt[i * out + o] = w[o * in + i];
            }
            return wt;
        }
        float[] wt = new float[Math.multiplyExact(in, out)], offset = new float[out];
        // unit vectors in blocks of PROBE_ROWS, so that the probe needs at most PROBE_ROWS·in floats
        float[] unit = new float[Math.min(in, PROBE_ROWS) * in];
        for (int i0 = 0; i0 < in; i0 += PROBE_ROWS) {
            int rows = Math.min(PROBE_ROWS, in - i0);
            Arrays.fill(unit, 0f);
            for (int r = 0; r < rows; r++) unit[r * in + i0 + r] = 1f;
            base.forward(unit, 0, wt, i0 * out, rows);
        }
        base.forward(new float[in], 0, offset, 0, 1);
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) wt[i * out + o] -= offset[o];
        }
        return wt;
    }
}
