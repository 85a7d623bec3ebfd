package dev.llmcw.tensor;

/** Two floats in one long, by bit pattern: how the row-pair kernels return two results without allocating. */
public final class FloatPair {
    private FloatPair() {}

    /** Two bit patterns in one long (a in the high half): how the row-pair kernels return two floats without allocating. */
    public static long pack(float a, float b) {
        return ((long) Float.floatToRawIntBits(a) << 32) | (Float.floatToRawIntBits(b) & 0xFFFF_FFFFL);
    }

    public static float first(long pair) {
        return Float.intBitsToFloat((int) (pair >>> 32));
    }

    public static float second(long pair) {
        return Float.intBitsToFloat((int) pair);
    }
}
