package dev.llmcw.model.gguf;

import dev.llmcw.tensor.DType;

/**
 * The ggml tensor types this workbench can map without conversion (ggml_type numbering). Other ggml
 * types (K-quants, IQ, ...) are reported by number and name so the error message says what the file holds.
 */
public final class GgmlType {
    private GgmlType() {}

    public static final int F32 = 0, F16 = 1, Q4_0 = 2, Q8_0 = 8, BF16 = 30;

    private static final String[] NAMES = {
        "F32",
        "F16",
        "Q4_0",
        "Q4_1",
        "Q4_2(removed)",
        "Q4_3(removed)",
        "Q5_0",
        "Q5_1",
        "Q8_0",
        "Q8_1",
        "Q2_K",
        "Q3_K",
        "Q4_K",
        "Q5_K",
        "Q6_K",
        "Q8_K",
        "IQ2_XXS",
        "IQ2_XS",
        "IQ3_XXS",
        "IQ1_S",
        "IQ4_NL",
        "IQ3_S",
        "IQ2_S",
        "IQ4_XS",
        "I8",
        "I16",
        "I32",
        "I64",
        "F64",
        "IQ1_M",
        "BF16"
    };

    /** Our storage type for a ggml type number, or null if unsupported. */
    public static DType toDType(int ggmlType) {
        return switch (ggmlType) {
            case F32 -> DType.F32;
            case F16 -> DType.F16;
            case Q4_0 -> DType.Q4_0;
            case Q8_0 -> DType.Q8_0;
            case BF16 -> DType.BF16;
            default -> null;
        };
    }

    public static int fromDType(DType t) {
        return switch (t) {
            case F32 -> F32;
            case F16 -> F16;
            case Q4_0 -> Q4_0;
            case Q8_0 -> Q8_0;
            case BF16 -> BF16;
        };
    }

    public static String name(int ggmlType) {
        return ggmlType >= 0 && ggmlType < NAMES.length ? NAMES[ggmlType] : "type " + ggmlType;
    }
}
