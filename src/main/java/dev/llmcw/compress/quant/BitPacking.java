package dev.llmcw.compress.quant;

/** Packs b-bit unsigned codes (b ≤ 16) densely, little-endian bit order, into bytes. */
public final class BitPacking {
    private BitPacking() {}

    public static byte[] pack(int[] codes, int bits) {
        long totalBits = (long) codes.length * bits;
        byte[] out = new byte[(int) ((totalBits + 7) / 8)];
        long pos = 0;
        int mask = (1 << bits) - 1;
        for (int c : codes) {
            if ((c & ~mask) != 0)
                throw new IllegalArgumentException("code " + c + " does not fit in " + bits + " bits");
            for (int b = 0; b < bits; b++, pos++) {
                if (((c >> b) & 1) != 0) out[(int) (pos >> 3)] |= (byte) (1 << (pos & 7));
            }
        }
        return out;
    }

    public static int[] unpack(byte[] data, int count, int bits) {
        if ((long) count * bits > (long) data.length * 8) {
            throw new IllegalArgumentException(
                    count + " codes of " + bits + " bits need more than " + data.length + " bytes");
        }
        int[] out = new int[count];
        long pos = 0;
        for (int i = 0; i < count; i++) {
            int c = 0;
            for (int b = 0; b < bits; b++, pos++) c |= ((data[(int) (pos >> 3)] >> (pos & 7)) & 1) << b;
            out[i] = c;
        }
        return out;
    }
}
