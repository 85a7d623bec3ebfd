package dev.llmcw.tensor;

/** Storage types of weight tensors. Block-quantised types store {@code blockSize} values in {@code blockBytes}. */
public enum DType {
    F32(1, 4),
    F16(1, 2),
    BF16(1, 2),
    /** GGML Q8_0: per 32 values one f16 scale + 32 int8. */
    Q8_0(32, 34, 0),
    /** GGML Q4_0: per 32 values one f16 scale + 16 bytes of 4-bit codes (value = (code - 8) * scale). */
    Q4_0(32, 18, 0),
    // The types below are llama.cpp's (struct block_* in ggml-common.h); offsets are bytes within a block,
    // f16 fields little-endian. "nibble j" of 32 values: byte j low nibble = value j, high nibble = value j+16.
    /** GGML Q4_1: d f16 @0, m f16 @2, qs[16] @4 (nibbles); value = q * d + m. */
    Q4_1(32, 20, 0, 2),
    /** GGML Q5_0: d f16 @0, qh u32 @2 (bit j = 5th bit of value j), qs[16] @6; value = (q - 16) * d. */
    Q5_0(32, 22, 0),
    /** GGML Q5_1: d f16 @0, m f16 @2, qh u32 @4, qs[16] @8; value = q * d + m. */
    Q5_1(32, 24, 0, 2),
    /** GGML Q2_K (super-block of 256): scales[16] @0 (low nibble scale, high nibble min), qs[64] @16, d @80, dmin @82. */
    Q2_K(256, 84, 80, 82),
    /** GGML Q3_K: hmask[32] @0, qs[64] @32, scales[12] @96 (16 packed 6-bit scales), d @108. */
    Q3_K(256, 110, 108),
    /** GGML Q4_K: d @0, dmin @2, scales[12] @4 (8 packed 6-bit scales + 8 mins), qs[128] @16. */
    Q4_K(256, 144, 0, 2),
    /** GGML Q5_K: d @0, dmin @2, scales[12] @4, qh[32] @16, qs[128] @48. */
    Q5_K(256, 176, 0, 2),
    /** GGML Q6_K: ql[128] @0, qh[64] @128, scales[16] int8 @192, d @208. */
    Q6_K(256, 210, 208),
    /** GGML IQ4_NL: d f16 @0, qs[16] @2; value = d * kvalues_iq4nl[nibble] (a fixed non-linear table). */
    IQ4_NL(32, 18, 0);

    /** Values per K-quant super-block (ggml's QK_K). */
    public static final int QK_K = 256;
    /** Bytes of the packed 6-bit scales and mins of Q3_K, Q4_K and Q5_K (ggml's K_SCALE_SIZE). */
    public static final int K_SCALE_SIZE = 12;

    private final int blockSize;
    private final int blockBytes;
    private final int[] halfOffsets;

    DType(int blockSize, int blockBytes, int... halfOffsets) {
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
        this.halfOffsets = halfOffsets;
    }

    /** True for the block-quantised types (one block holds {@link #blockSize()} values). */
    public boolean isBlockType() {
        return blockSize > 1;
    }

    /**
     * Byte offsets within a block of its f16 fields (scales, mins, super-block scales): the only floats a
     * block type holds, so the finite-weights check reads exactly these. Empty for F32/F16/BF16.
     */
    public int[] halfOffsets() {
        return halfOffsets.clone();
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
