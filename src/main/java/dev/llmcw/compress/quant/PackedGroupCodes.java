package dev.llmcw.compress.quant;

import dev.llmcw.tensor.Half;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A group-quantized matrix kept as its file stores it (see {@link QuantizerIO}): b-bit codes packed
 * LSB-first in row-major order ({@link BitPacking}), one FP16 scale per row and group, and b-bit zero points
 * packed the same way (none when symmetric: the zero is 2^(b−1)). The packed arrays carry {@link #PAD}
 * spare bytes so that a kernel can read any code with one unaligned 8-byte load.
 */
public record PackedGroupCodes(
        int rows, int cols, int bits, int groupSize, boolean symmetric, byte[] codes, short[] scales, byte[] zeros) {
    /** Spare bytes after the packed codes and zeros (one 8-byte load from the last code's first byte). */
    public static final int PAD = 8;

    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    public PackedGroupCodes {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("packed group codes hold 1..8 bits, got " + bits);
        if (groupSize <= 0 || groupSize > cols)
            throw new IllegalArgumentException("group size " + groupSize + " outside 1.." + cols);
        long groups = (long) rows * ((cols + groupSize - 1) / groupSize);
        if (codes.length < packedBytes((long) rows * cols, bits) + PAD)
            throw new IllegalArgumentException(rows + "×" + cols + " codes of " + bits + " bits need "
                    + packedBytes((long) rows * cols, bits) + " bytes, got " + (codes.length - PAD));
        if (scales.length != groups)
            throw new IllegalArgumentException("needs " + groups + " scales, got " + scales.length);
        if (!symmetric && (zeros == null || zeros.length < packedBytes(groups, bits) + PAD))
            throw new IllegalArgumentException("needs " + groups + " packed zero points of " + bits + " bits");
    }

    /** Bytes of {@code count} packed b-bit values. */
    public static long packedBytes(long count, int bits) {
        return (count * bits + 7) / 8;
    }

    /** The packed form of a grid and its codes; the grid's scales must be FP16 values (as every fitted grid's are). */
    public static PackedGroupCodes of(UniformGrid g, int[] codes) {
        short[] scales = new short[g.scales().length];
        for (int i = 0; i < scales.length; i++) {
            float s = g.scales()[i];
            scales[i] = Half.floatToF16(s);
            if (Float.floatToIntBits(Half.f16ToFloat(scales[i])) != Float.floatToIntBits(s))
                throw new IllegalArgumentException("group scale " + s + " is not an FP16 value");
        }
        byte[] z = g.symmetric() ? null : padded(BitPacking.pack(g.zeros(), g.bits()));
        return new PackedGroupCodes(
                g.rows(),
                g.cols(),
                g.bits(),
                g.groupSize(),
                g.symmetric(),
                padded(BitPacking.pack(codes, g.bits())),
                scales,
                z);
    }

    static byte[] padded(byte[] packed) {
        return Arrays.copyOf(packed, packed.length + PAD);
    }

    public int groups() {
        return (cols + groupSize - 1) / groupSize;
    }

    /** Scale of group gi (row-major over rows × groups). */
    public float scale(int gi) {
        return Half.f16ToFloat(scales[gi]);
    }

    /** Zero point of group gi. */
    public int zero(int gi) {
        return symmetric ? 1 << (bits - 1) : field(zeros, (long) gi * bits, bits);
    }

    /**
     * The 64 bits from bit {@code bitPos} of a padded packed array on (fewer at the very end: the high bits
     * then come from the padding): 8 codes of up to 7 bits, or 8 whole bytes at 8 bits, in one load.
     */
    public static long window(byte[] packed, long bitPos) {
        return (long) LONG_LE.get(packed, (int) (bitPos >>> 3)) >>> (bitPos & 7);
    }

    /** The b-bit value at bit {@code bitPos}. */
    public static int field(byte[] packed, long bitPos, int bits) {
        return (int) (window(packed, bitPos) & ((1 << bits) - 1));
    }

    /**
     * Value i of the row-major matrix, scale·(q − zero) rounded once to float: the same float as the
     * double decode of {@link ScalarBlockQuantizer#decode} cast to float (the product of a float and a small
     * integer is exact in double).
     */
    public float value(long i) {
        int r = (int) (i / cols), c = (int) (i % cols), gi = r * groups() + c / groupSize;
        return scale(gi) * (field(codes, i * bits, bits) - zero(gi));
    }

    /**
     * Values [offset, offset + n) of the row-major matrix, each exactly {@link #value}, into dst from dstOff:
     * the blocked GEMM's weight slices (prefill) decode through here, one scale and zero point per group.
     */
    public void toFloat(long offset, float[] dst, int dstOff, int n) {
        int groups = groups();
        for (int i = 0; i < n; ) {
            long at = offset + i;
            int r = (int) (at / cols), c = (int) (at % cols), gi = r * groups + c / groupSize;
            int end = Math.min(n, i + Math.min(groupSize - c % groupSize, cols - c));
            float s = scale(gi);
            int z = zero(gi);
            for (long bitPos = at * bits; i < end; i++, bitPos += bits)
                dst[dstOff + i] = s * (field(codes, bitPos, bits) - z);
        }
    }

    /** Bytes these arrays occupy (padding included, object headers not). */
    public long residentBytes() {
        return codes.length + 2L * scales.length + (zeros == null ? 0 : zeros.length);
    }
}
