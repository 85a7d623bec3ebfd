package dev.llmcw.engine.train;

import java.util.List;

/**
 * STAND-IN of branch {@code backprop}'s interface with the agreed API (replace with theirs on merge): y = W·x
 * for {@code batch} rows, and its backward: {@code dx} receives dL/dx, parameter gradients accumulate.
 */
public interface TrainableLinear {
    int inFeatures();

    int outFeatures();

    void forward(float[] x, float[] y, int batch);

    void backward(float[] x, float[] dy, float[] dx, int batch);

    List<Parameter> parameters();
}
