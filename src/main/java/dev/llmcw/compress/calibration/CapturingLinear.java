package dev.llmcw.compress.calibration;

import dev.llmcw.tensor.Linear;

/** Decorator that adds every input batch to a {@link HessianAccumulator} before delegating. */
public final class CapturingLinear implements Linear {
    private final Linear delegate;
    private final HessianAccumulator accumulator;

    public CapturingLinear(Linear delegate, HessianAccumulator accumulator) {
        if (delegate.inFeatures() != accumulator.size()) {
            throw new IllegalArgumentException("accumulator of size " + accumulator.size() + " for a linear with "
                    + delegate.inFeatures() + " inputs");
        }
        this.delegate = delegate;
        this.accumulator = accumulator;
    }

    @Override
    public int inFeatures() {
        return delegate.inFeatures();
    }

    @Override
    public int outFeatures() {
        return delegate.outFeatures();
    }

    @Override
    public long storageBytes() {
        return delegate.storageBytes();
    }

    @Override
    public String kind() {
        return "capturing " + delegate.kind();
    }

    @Override
    public void forward(float[] x, int xOff, float[] y, int yOff, int batch) {
        accumulator.add(x, xOff, batch);
        delegate.forward(x, xOff, y, yOff, batch);
    }
}
