package dev.llmcw.engine.train;

import java.util.Arrays;
import java.util.Objects;

/**
 * A trainable tensor: its values and the gradient accumulated into it (same length), both flat row-major
 * float arrays that the training path reads and writes in place. An optimizer updates {@link #value()} and
 * calls {@link #zeroGrad()} between steps.
 */
public final class Parameter {
    private final String name;
    private final float[] value;
    private final float[] grad;

    /** @param value the values, used in place (not copied): whoever made them sees every update */
    public Parameter(String name, float[] value) {
        this.name = Objects.requireNonNull(name, "name");
        this.value = Objects.requireNonNull(value, "value");
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
        Arrays.fill(grad, 0f);
    }

    @Override
    public String toString() {
        return name + " [" + value.length + "]";
    }
}
