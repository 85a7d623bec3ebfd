package dev.llmcw.model.gguf;

import dev.llmcw.tensor.DType;
import java.util.StringJoiner;

/**
 * The ggml tensor types this workbench can map without conversion (ggml_type numbering, include/ggml.h).
 * The block layout of each lives in {@link DType} (block size, bytes per block, f16 field offsets). Other
 * ggml types (IQ2/IQ3, TQ, MXFP4, ...) are reported by number and name so the error message says what the
 * file holds.
 */
public final class GgmlType {
    private GgmlType() {}

    public static final int F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, BF16 = 30;
    public static final int Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, IQ4_NL = 20;

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
            case Q4_1 -> DType.Q4_1;
            case Q5_0 -> DType.Q5_0;
            case Q5_1 -> DType.Q5_1;
            case Q8_0 -> DType.Q8_0;
            case Q2_K -> DType.Q2_K;
            case Q3_K -> DType.Q3_K;
            case Q4_K -> DType.Q4_K;
            case Q5_K -> DType.Q5_K;
            case Q6_K -> DType.Q6_K;
            case IQ4_NL -> DType.IQ4_NL;
            case BF16 -> DType.BF16;
            default -> null;
        };
    }

    public static int fromDType(DType t) {
        return switch (t) {
            case F32 -> F32;
            case F16 -> F16;
            case Q4_0 -> Q4_0;
            case Q4_1 -> Q4_1;
            case Q5_0 -> Q5_0;
            case Q5_1 -> Q5_1;
            case Q8_0 -> Q8_0;
            case Q2_K -> Q2_K;
            case Q3_K -> Q3_K;
            case Q4_K -> Q4_K;
            case Q5_K -> Q5_K;
            case Q6_K -> Q6_K;
            case IQ4_NL -> IQ4_NL;
            case BF16 -> BF16;
        };
    }

    /** The names of the ggml types {@link #toDType} maps, for "supported: ..." messages. */
    public static String supportedNames() {
        var names = new StringJoiner(", ");
        for (DType t : DType.values()) names.add(t.name());
        return names.toString();
    }

    public static String name(int ggmlType) {
        return ggmlType >= 0 && ggmlType < NAMES.length ? NAMES[ggmlType] : "type " + ggmlType;
    }
}
