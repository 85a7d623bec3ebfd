package dev.llmcw.tensor;

/** Storage types of weight tensors. Block-quantised types store {@code blockSize} values in {@code blockBytes}. */
public enum DType {
    F32(1, 4),
    F16(1, 2),
    BF16(1, 2),
    /** GGML Q8_0: per 32 values one f16 scale + 32 int8. */
    Q8_0(32, 34),
    /** GGML Q4_0: per 32 values one f16 scale + 16 bytes of 4-bit codes (value = (code - 8) * scale). */
    Q4_0(32, 18);

    private final int blockSize;
    private final int blockBytes;

    DType(int blockSize, int blockBytes) {
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    public int blockSize() {
        return blockSize;
    }

    public int blockBytes() {
        return blockBytes;
    }

    /** Bytes needed to store {@code numel} values; numel must be a multiple of the block size. */
    public long bytesFor(long numel) {
        if (numel % blockSize != 0) {
            throw new IllegalArgumentException(this + " needs a multiple of " + blockSize + " values, got " + numel);
        }
        return numel / blockSize * blockBytes;
    }

    public double bitsPerWeight() {
        return 8.0 * blockBytes / blockSize;
    }
}
