package dev.llmcw.model.gguf;

/** GGUF metadata value types (gguf_type in ggml's gguf.h), numbered as on disk. */
public enum GgufType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, -1),
    ARRAY(9, -1),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    final int code;
    /** Fixed byte size, or -1 for variable-length types. */
    final int size;

    GgufType(int code, int size) {
        this.code = code;
        this.size = size;
    }

    public int code() {
        return code;
    }

    static GgufType of(int code) {
        for (GgufType t : values()) if (t.code == code) return t;
        return null;
    }
}
