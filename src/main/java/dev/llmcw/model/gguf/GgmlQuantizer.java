package dev.llmcw.model.gguf;

import dev.llmcw.tensor.DType;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Quantizes float rows to llama.cpp's block types with the bytes ggml_quantize_chunk gives: the reference
 * quantizer, or its importance-matrix variant when per-column importance weights are passed (as
 * llama-quantize does with --imatrix). Block layouts are {@link DType}'s.
 */
public final class GgmlQuantizer {
    private static final Set<DType> TYPES = EnumSet.of(
            DType.Q4_0,
            DType.Q8_0,
            DType.Q4_1,
            DType.Q5_0,
            DType.Q5_1,
            DType.Q2_K,
            DType.Q3_K,
            DType.Q4_K,
            DType.Q5_K,
            DType.Q6_K,
            DType.IQ4_NL);

    private GgmlQuantizer() {}

    public static boolean supports(DType type) {
        return TYPES.contains(type);
    }

    /**
     * Quantizes {@code nrow} rows of {@code nPerRow} values (row-major in {@code x}). {@code importance}
     * holds one weight per column (llama.cpp's imatrix entry for this tensor), or is null.
     */
    public static byte[] quantize(DType type, float[] x, int nrow, int nPerRow, float[] importance) {
        if (!supports(type)) throw new IllegalArgumentException("cannot quantize to " + type);
        if (nPerRow % type.blockSize() != 0) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT, "%s needs rows of a multiple of %d values, got %d", type, type.blockSize(), nPerRow));
        }
        if (x.length < (long) nrow * nPerRow) {
            throw new IllegalArgumentException(
                    "have " + x.length + " values for " + nrow + " rows of " + nPerRow + " (" + type + ")");
        }
        if (importance != null && importance.length != nPerRow) {
            throw new IllegalArgumentException("importance weights have " + importance.length + " entries for rows of "
                    + nPerRow + " values (" + type + ")");
        }
        int rowBytes = Math.toIntExact(type.bytesFor(nPerRow));
        byte[] out = new byte[Math.multiplyExact(rowBytes, nrow)];
        for (int r = 0; r < nrow; r++) quantizeRow(type, x, r * nPerRow, nPerRow, importance, out, r * rowBytes);
        return out;
    }

    /** One row of n values from x[xo..] into out[oo..]. */
    public static void quantizeRow(DType type, float[] x, int xo, int n, float[] importance, byte[] out, int oo) {
        switch (type) {
            case Q8_0 -> GgmlQuant.quantizeQ8_0(x, xo, n, out, oo); // llama.cpp's Q8_0 ignores importance
            case Q4_0 -> {
                if (importance == null) GgmlQuant.quantizeQ4_0(x, xo, n, out, oo);
                else LegacyQuantizers.q40Row(x, xo, n, importance, out, oo);
            }
            case Q4_1 -> LegacyQuantizers.q41Row(x, xo, n, importance, out, oo);
            case Q5_0 -> LegacyQuantizers.q50Row(x, xo, n, importance, out, oo);
            case Q5_1 -> LegacyQuantizers.q51Row(x, xo, n, importance, out, oo);
            case IQ4_NL -> LegacyQuantizers.iq4nlRow(x, xo, n, importance, out, oo);
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> {
                for (int b = 0; b < n / DType.QK_K; b++) {
                    int xb = xo + b * DType.QK_K, qo = b * DType.QK_K, yo = oo + b * type.blockBytes();
                    switch (type) {
                        case Q2_K -> KQuantizers.q2K(x, xb, importance, qo, out, yo);
                        case Q3_K -> KQuantizers.q3K(x, xb, importance, qo, out, yo);
                        case Q4_K -> KQuantizers.q4K(x, xb, importance, qo, out, yo);
                        case Q5_K -> KQuantizers.q5K(x, xb, importance, qo, out, yo);
                        default -> KQuantizers.q6K(x, xb, importance, qo, out, yo);
                    }
                }
            }
            default -> throw new IllegalArgumentException("cannot quantize to " + type);
        }
    }
}
