package dev.llmcw.model.gguf;

import java.lang.reflect.Array;
import java.util.Arrays;

/**
 * One typed GGUF metadata value. Scalars are boxed Java values (Integer for 8/16/32-bit integers,
 * Long for UINT32 and 64-bit integers, Float, Double, Boolean, String); arrays hold a primitive
 * array (int[], long[], float[], double[], boolean[]), a String[] or, for nested arrays, a GgufValue[].
 *
 * @param type     the value's type
 * @param elemType element type when {@code type == ARRAY}, else null
 * @param value    the Java value as described above
 */
public record GgufValue(GgufType type, GgufType elemType, Object value) {

    public static GgufValue of(String s) {
        return new GgufValue(GgufType.STRING, null, s);
    }

    public static GgufValue uint32(long v) {
        return new GgufValue(GgufType.UINT32, null, v);
    }

    public static GgufValue int32(int v) {
        return new GgufValue(GgufType.INT32, null, v);
    }

    public static GgufValue float32(float v) {
        return new GgufValue(GgufType.FLOAT32, null, v);
    }

    public static GgufValue bool(boolean v) {
        return new GgufValue(GgufType.BOOL, null, v);
    }

    public static GgufValue strings(String[] v) {
        return new GgufValue(GgufType.ARRAY, GgufType.STRING, v);
    }

    public static GgufValue floats(float[] v) {
        return new GgufValue(GgufType.ARRAY, GgufType.FLOAT32, v);
    }

    public static GgufValue int32s(int[] v) {
        return new GgufValue(GgufType.ARRAY, GgufType.INT32, v);
    }

    /** Number of elements of an array value (1 for a scalar). */
    public int length() {
        if (type != GgufType.ARRAY) return 1;
        return Array.getLength(value);
    }

    /** Integer value of any integral or floating scalar (what llama.cpp's loaders accept interchangeably). */
    public long asLong() {
        if (value instanceof Number n) return n.longValue();
        if (value instanceof Boolean b) return b ? 1 : 0;
        throw new IllegalStateException("not a number: " + this);
    }

    public double asDouble() {
        if (value instanceof Number n) return n.doubleValue();
        throw new IllegalStateException("not a number: " + this);
    }

    @Override
    public String toString() {
        if (type != GgufType.ARRAY) return type + ":" + value;
        String body = switch (value) {
            case int[] a -> a.length > 8 ? "[" + a.length + " ints]" : Arrays.toString(a);
            case long[] a -> a.length > 8 ? "[" + a.length + " longs]" : Arrays.toString(a);
            case float[] a -> a.length > 8 ? "[" + a.length + " floats]" : Arrays.toString(a);
            case double[] a -> a.length > 8 ? "[" + a.length + " doubles]" : Arrays.toString(a);
            case boolean[] a -> "[" + a.length + " bools]";
            case Object[] a -> a.length > 8 ? "[" + a.length + " items]" : Arrays.toString(a);
            default -> String.valueOf(value);
        };
        return "ARRAY<" + elemType + ">" + body;
    }
}
