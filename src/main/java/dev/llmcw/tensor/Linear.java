package dev.llmcw.tensor;

/**
 * A linear layer y = W·x (+ b) over some weight storage: dense, decompressed, or decoded on the fly.
 * The engine only talks to this interface, which is how compression methods plug into inference.
 * Batched: {@code x} holds {@code batch} rows of {@link #inFeatures()} floats, {@code y} receives
 * {@code batch} rows of {@link #outFeatures()} floats. Implementations may use all engine threads.
 */
public interface Linear {
    int inFeatures();

    int outFeatures();

    void forward(float[] x, int xOff, float[] y, int yOff, int batch);

    /** Bytes this layer's weights occupy in its storage format (what a matvec has to read). */
    long storageBytes();

    /** Short label of the storage, e.g. "dense BF16", "seedlm on-the-fly". */
    String kind();

    /** Single-vector convenience. */
    default void forward(float[] x, float[] y) {
        forward(x, 0, y, 0, 1);
    }
}
