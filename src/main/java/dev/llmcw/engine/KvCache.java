package dev.llmcw.engine;

import java.util.Arrays;

/**
 * Keys and values of every layer for the positions processed so far (float32, [position][kvDim] per
 * layer). Grows by doubling as tokens arrive, so memory follows the sequence actually processed and
 * not the model's maximum context. {@link #truncate} rewinds to a shorter prefix without freeing, which
 * is how a scored context is reused for several continuations.
 */
public final class KvCache {
    private final int layers, kvDim;
    private float[][] keys, values;
    private int capacity, length;

    KvCache(int layers, int kvDim, int initialCapacity) {
        this.layers = layers;
        this.kvDim = kvDim;
        this.capacity = Math.max(1, initialCapacity);
        keys = new float[layers][Math.multiplyExact(capacity, kvDim)];
        values = new float[layers][Math.multiplyExact(capacity, kvDim)];
    }

    /** Number of positions held. */
    public int length() {
        return length;
    }

    /** Positions the current buffers can hold without growing. */
    public int capacity() {
        return capacity;
    }

    /** Forgets every position from {@code newLength} on. */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate a KV cache of length " + length + " to " + newLength);
        }
        length = newLength;
    }

    public void clear() {
        length = 0;
    }

    /** Bytes held by the buffers. */
    public long bytes() {
        return 2L * layers * capacity * kvDim * Float.BYTES;
    }

    void ensureCapacity(int need) {
        if (need <= capacity) return;
        int cap = Math.max(need, capacity * 2);
        for (int l = 0; l < layers; l++) {
            keys[l] = Arrays.copyOf(keys[l], Math.multiplyExact(cap, kvDim));
            values[l] = Arrays.copyOf(values[l], Math.multiplyExact(cap, kvDim));
        }
        capacity = cap;
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    void setLength(int n) {
        length = n;
    }
}
