package dev.llmcw.model.safetensors;

/** Element widths of safetensors dtype names. */
public final class SafetensorsDTypes {
    private SafetensorsDTypes() {}

    public static int width(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> throw new IllegalArgumentException("unknown safetensors dtype " + dtype);
        };
    }
}
