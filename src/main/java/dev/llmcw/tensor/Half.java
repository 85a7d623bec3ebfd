package dev.llmcw.tensor;

/** Conversions between float and the 16-bit formats (IEEE half and bfloat16). */
public final class Half {
    private Half() {}

    public static float f16ToFloat(short h) {
        return Float.float16ToFloat(h);
    }

    public static short floatToF16(float f) {
        return Float.floatToFloat16(f);
    }

    public static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    /** Round-to-nearest-even conversion to bfloat16 (NaN stays NaN). */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
