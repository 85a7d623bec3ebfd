package dev.llmcw.engine.train;

import java.util.Arrays;

/**
 * STAND-IN of branch {@code backprop}'s class with the agreed API (replace with theirs on merge): a trainable
 * float32 tensor with its gradient accumulator.
 */
public final class Parameter {
    private final String name;
    private final float[] value, grad;

    public Parameter(String name, float[] value) {
        this.name = name;
        this.value = value;
        this.grad = new float[value.length];
    }

    public String name() {
        return name;
    }

    public float[] value() {
        return value;
    }

    public float[] grad() {
        return grad;
    }

    public void zeroGrad() {
        Arrays.fill(grad, 0);
    }
}
