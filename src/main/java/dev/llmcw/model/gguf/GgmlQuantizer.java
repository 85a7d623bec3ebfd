package dev.llmcw.model.gguf;

import java.util.Locale;

/**
 * Quantizes float rows to llama.cpp's block types Q2_K…Q6_K, Q4_1, Q5_0, Q5_1 and IQ4_NL with the bytes
 * ggml_quantize_chunk gives (the reference quantizer, or its importance-matrix variant when per-column
 * importance weights are passed, as llama-quantize does with --imatrix).
 */
public enum GgmlQuantizer {
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    IQ4_NL(20, 32, 18);

    /** ggml_type number. */
    public final int ggmlType;
    /** Values per block. */
    public final int blockSize;
    /** Bytes per block. */
    public final int blockBytes;

    GgmlQuantizer(int ggmlType, int blockSize, int blockBytes) {
        this.ggmlType = ggmlType;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** Exact storage cost: bytes per block × 8 / values per block. */
    public double bitsPerWeight() {
        return blockBytes * 8.0 / blockSize;
    }

    public long rowBytes(long nPerRow) {
        return nPerRow / blockSize * blockBytes;
    }

    /** The quantizer named like ggml_type_name (case-insensitive), or null. */
    public static GgmlQuantizer byName(String name) {
        for (GgmlQuantizer q : values()) if (q.name().equalsIgnoreCase(name.trim())) return q;
        return null;
    }

    public static GgmlQuantizer byGgmlType(int ggmlType) {
        for (GgmlQuantizer q : values()) if (q.ggmlType == ggmlType) return q;
        return null;
    }

    public static String names() {
        StringBuilder sb = new StringBuilder();
        for (GgmlQuantizer q : values()) sb.append(sb.isEmpty() ? "" : ", ").append(q.name());
        return sb.toString();
    }

    /**
     * Quantizes {@code nrow} rows of {@code nPerRow} values (row-major in {@code x}). {@code importance}
     * holds one weight per column (llama.cpp's imatrix entry for this tensor), or is null.
     */
    public byte[] quantize(float[] x, int nrow, int nPerRow, float[] importance) {
        if (nPerRow % blockSize != 0) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT, "%s needs rows of a multiple of %d values, got %d", name(), blockSize, nPerRow));
        }
        if (x.length < (long) nrow * nPerRow) {
            throw new IllegalArgumentException(
                    "have " + x.length + " values for " + nrow + " rows of " + nPerRow + " (" + name() + ")");
        }
        if (importance != null && importance.length != nPerRow) {
            throw new IllegalArgumentException("importance weights have " + importance.length + " entries for rows of "
                    + nPerRow + " values (" + name() + ")");
        }
        int rowBytes = Math.toIntExact(rowBytes(nPerRow));
        byte[] out = new byte[Math.multiplyExact(rowBytes, nrow)];
        for (int r = 0; r < nrow; r++) quantizeRow(x, r * nPerRow, nPerRow, importance, out, r * rowBytes);
        return out;
    }

    /** One row of n values from x[xo..] into out[oo..]. */
    public void quantizeRow(float[] x, int xo, int n, float[] importance, byte[] out, int oo) {
        switch (this) {
            case Q4_1 -> LegacyQuantizers.q41Row(x, xo, n, importance, out, oo);
            case Q5_0 -> LegacyQuantizers.q50Row(x, xo, n, importance, out, oo);
            case Q5_1 -> LegacyQuantizers.q51Row(x, xo, n, importance, out, oo);
            case IQ4_NL -> LegacyQuantizers.iq4nlRow(x, xo, n, importance, out, oo);
            default -> {
                for (int b = 0; b < n / blockSize; b++) {
                    int xb = xo + b * 256, qo = b * 256, yo = oo + b * blockBytes;
                    switch (this) {
                        case Q2_K -> KQuantizers.q2K(x, xb, importance, qo, out, yo);
                        case Q3_K -> KQuantizers.q3K(x, xb, importance, qo, out, yo);
                        case Q4_K -> KQuantizers.q4K(x, xb, importance, qo, out, yo);
                        case Q5_K -> KQuantizers.q5K(x, xb, importance, qo, out, yo);
                        case Q6_K -> KQuantizers.q6K(x, xb, importance, qo, out, yo);
                        default -> throw new IllegalStateException(name());
                    }
                }
            }
        }
    }
}
