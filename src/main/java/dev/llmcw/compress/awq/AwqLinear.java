package dev.llmcw.compress.awq;

import dev.llmcw.tensor.Linear;

/** y = inner·(x/s): an AWQ layer whose stored weights are Q(W·diag(s)), so the input is divided by s first. */
public final class AwqLinear implements Linear {
    private final Linear inner;
    private final float[] scales;

    public AwqLinear(Linear inner, float[] scales) {
        if (scales.length != inner.inFeatures())
            throw new IllegalArgumentException(
                    scales.length + " input scales for a layer with " + inner.inFeatures() + " inputs");
        this.inner = inner;
        this.scales = scales.clone();
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
        return inner.storageBytes() + 2L * scales.length; // FP16 scales
    }

    @Override
    public String kind() {
        return inner.kind() + " awq-scaled";
    }

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        int in = inFeatures();
        float[] xs = new float[batch * in];
        for (int t = 0; t < batch; t++) for (int c = 0; c < in; c++) xs[t * in + c] = x[xOff + t * in + c] / scales[c];
        inner.forward(xs, 0, y, yOff, batch);
    }
}
