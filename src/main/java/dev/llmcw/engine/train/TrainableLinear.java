package dev.llmcw.engine.train;

import java.util.List;

/**
 * A linear layer y = W·x as the training path sees it: forward on a batch of rows, backward gives dx and
 * accumulates the gradients of its own trainable parameters (if any). Biases are not part of it: the
 * training model adds the q/k/v biases itself, as the inference engine does.
 */
public interface TrainableLinear {
    int inFeatures();

    int outFeatures();

    /** y = W·x for each of {@code batch} rows; x: batch×in, y: batch×out (overwritten). */
    void forward(float[] x, float[] y, int batch);

    /**
     * Given the rows x the forward pass saw and dLoss/dy, writes dLoss/dx (batch×in, overwritten, not
     * accumulated) and adds dLoss/dθ into the grad of every parameter of this layer.
     */
    void backward(float[] x, float[] dy, float[] dx, int batch);

    /** The layer's trainable parameters; empty for a frozen layer. */
    List<Parameter> parameters();
}
