package dev.llmcw.compress.rtn;

import dev.llmcw.compress.quant.WeightRotation;
import dev.llmcw.tensor.Linear;

/** y = T_mᵀ·(inner·(T_n·x)): a layer stored in the rotated domain ({@link WeightRotation}), as CALDERA's layer does it. */
public final class RotatedLinear implements Linear {
    private final Linear inner;
    private final WeightRotation rotation;

    public RotatedLinear(Linear inner, WeightRotation rotation) {
        this.inner = inner;
        this.rotation = rotation;
    }

    @Override
    public int inFeatures() {
        return inner.inFeatures();
    }

    @Override
    public int outFeatures() {
        return inner.outFeatures();
    }

    @Override
    public long storageBytes() {
        return inner.storageBytes() + 8;
    }

    @Override
    public String kind() {
        return inner.kind() + " hadamard";
    }

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        int in = inFeatures(), out = outFeatures();
        float[] xr = new float[batch * in];
        System.arraycopy(x, xOff, xr, 0, batch * in);
        double[] work = new double[Math.max(in, out)];
        for (int b = 0; b < batch; b++) rotation.in().apply(xr, b * in, work);
        inner.forward(xr, 0, y, yOff, batch);
        for (int b = 0; b < batch; b++) rotation.out().applyTranspose(y, yOff + b * out, work);
    }
}
