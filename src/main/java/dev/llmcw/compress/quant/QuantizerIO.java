package dev.llmcw.compress.quant;

import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Half;
import dev.llmcw.util.ModelLoadException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Stores a quantised matrix (a {@link BlockQuantizer}'s codes and parameters) under a name prefix in a
 * safetensors file, and reads it back. Layouts:
 * <ul>
 * <li>scalar: {@code p.grid} I32 [rows, cols, bits, groupSize, symmetric]; {@code p.codes} U8 (b-bit codes
 *     packed LSB-first, row-major); {@code p.scales} F16 [rows, groups]; {@code p.zeros} U8 packed b-bit
 *     (asymmetric only)</li>
 * <li>e8p: {@code p.e8p_info} I32 [rows, cols, stages]; {@code p.e8p} I16 16-bit indices
 *     [rows·cols/8·stages]; {@code p.e8p_scale} F32 [1]</li>
 * <li>float: {@code p.values} BF16 or F32 [rows, cols]</li>
 * </ul>
 */
public final class QuantizerIO {
    private QuantizerIO() {}

    public static void write(SafetensorsWriter w, String p, BlockQuantizer q) {
        switch (q) {
            case ScalarBlockQuantizer s -> writeScalar(w, p, s.grid(), s.codes());
            case TensorScalarQuantizer t ->
                writeScalar(w, p, t.flat().grid(), t.flat().codes());
            case E8PQuantizer e -> {
                int[] codes = e.codes();
                ByteBuffer bb = ByteBuffer.allocate(codes.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (int c : codes) bb.putShort((short) c);
                w.addRaw(p + ".e8p", "I16", new long[] {codes.length}, bb.array());
                w.addInts(p + ".e8p_info", new long[] {3}, new int[] {e.rows(), e.cols(), e.stages()});
                w.add(p + ".e8p_scale", DType.F32, new long[] {1}, new float[] {(float) e.scale()});
            }
            case FloatQuantizer f -> {
                w.add(
                        p + ".values",
                        f.bits() == 16 ? DType.BF16 : DType.F32,
                        new long[] {f.rows(), f.cols()},
                        f.values());
            }
            default ->
                throw new IllegalArgumentException(
                        "cannot store quantizer " + q.getClass().getSimpleName());
        }
    }

    public static void writeScalar(SafetensorsWriter w, String p, UniformGrid g, int[] codes) {
        w.addInts(p + ".grid", new long[] {5}, new int[] {
            g.rows(), g.cols(), g.bits(), g.groupSize(), g.symmetric() ? 1 : 0
        });
        w.addBytes(
                p + ".codes", new long[] {BitPacking.pack(codes, g.bits()).length}, BitPacking.pack(codes, g.bits()));
        w.add(p + ".scales", DType.F16, new long[] {g.rows(), g.groups()}, g.scales());
        if (!g.symmetric()) {
            byte[] z = BitPacking.pack(g.zeros(), g.bits());
            w.addBytes(p + ".zeros", new long[] {z.length}, z);
        }
    }

    /** How {@link #scalarBits} counts, in words (RTN and GPTQ share the group-wise grid). */
    public static String scalarConvention(boolean symmetric) {
        return symmetric
                ? "b + 16/g: b-bit codes and one FP16 scale per group of g"
                : "b + (16+b)/g: b-bit codes, FP16 scale and b-bit zero per group of g";
    }

    /** Bits the stored form takes (codes + parameters), for size accounting. */
    public static long storedBits(BlockQuantizer q) {
        return switch (q) {
            case ScalarBlockQuantizer s ->
                scalarBits(
                        s.grid().rows(),
                        s.grid().cols(),
                        s.grid().bits(),
                        s.grid().groupSize(),
                        s.grid().symmetric());
            case TensorScalarQuantizer t -> storedBits(t.flat());
            case E8PQuantizer e -> (long) e.rows() * e.cols() * e.bits() + 32;
            case FloatQuantizer f -> (long) f.rows() * f.cols() * f.bits();
            default -> throw new IllegalArgumentException(q.getClass().getSimpleName());
        };
    }

    public static long scalarBits(int rows, int cols, int bits, int groupSize, boolean sym) {
        int g = groupSize <= 0 ? cols : Math.min(groupSize, cols);
        long groups = (long) rows * ((cols + g - 1) / g);
        return (long) rows * cols * bits + groups * (16 + (sym ? 0 : bits));
    }

    /** Whether a quantised matrix is stored under prefix {@code p}. */
    public static boolean present(SafetensorsFile f, String p) {
        return f.has(p + ".grid") || f.has(p + ".e8p_info") || f.has(p + ".values");
    }

    /** Reads the matrix stored under {@code p} as a quantizer holding its codes. */
    public static BlockQuantizer read(SafetensorsFile f, String p) {
        if (f.has(p + ".grid")) {
            var r = readScalar(f, p);
            return ScalarBlockQuantizer.of(r.grid(), r.codes());
        }
        if (f.has(p + ".e8p_info")) {
            int[] info = f.ints(p + ".e8p_info");
            short[] raw =
                    f.bytes(p + ".e8p").toArray(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
            int[] codes = new int[raw.length];
            for (int i = 0; i < raw.length; i++) codes[i] = raw[i] & 0xFFFF;
            float scale = f.tensor(p + ".e8p_scale").get(0);
            try {
                return E8PQuantizer.fromCodes(info[0], info[1], scale, info[2], codes);
            } catch (IllegalArgumentException e) {
                throw new ModelLoadException(f.path(), p + ": " + e.getMessage());
            }
        }
        if (f.has(p + ".values")) {
            var t = f.tensor(p + ".values");
            int bits = t.dtype() == DType.BF16 ? 16 : 32;
            return FloatQuantizer.of(t.rows(), t.cols(), bits, t.toFloatArray());
        }
        throw new ModelLoadException(f.path(), "no quantised matrix stored under " + p);
    }

    public record Scalar(UniformGrid grid, int[] codes) {}

    /** The checked ".grid" entry of a scalar matrix (group size clamped to the width, as {@link UniformGrid} does). */
    private record GridShape(int rows, int cols, int bits, int groupSize, boolean symmetric) {
        int groups() {
            return (cols + groupSize - 1) / groupSize;
        }
    }

    private static GridShape gridShape(SafetensorsFile f, String p) {
        int[] info = f.ints(p + ".grid");
        if (info.length != 5) throw new ModelLoadException(f.path(), p + ".grid must hold 5 ints, has " + info.length);
        int rows = info[0], cols = info[1], bits = info[2], gs = info[3];
        if (rows <= 0 || cols <= 0 || bits < 1 || bits > 16 || gs <= 0) {
            throw new ModelLoadException(f.path(), p + ".grid has invalid values " + Arrays.toString(info));
        }
        return new GridShape(rows, cols, bits, Math.min(gs, cols), info[4] != 0);
    }

    /** Bits per code of the scalar matrix stored under {@code p} (its ".grid" entry, checked). */
    public static int scalarBitsOf(SafetensorsFile f, String p) {
        return gridShape(f, p).bits();
    }

    private static void checkScaleCount(SafetensorsFile f, String p, long count, GridShape shape) {
        if (count != (long) shape.rows() * shape.groups()) {
            throw new ModelLoadException(
                    f.path(), p + ".scales has " + count + " values, expected " + (long) shape.rows() * shape.groups());
        }
    }

    /**
     * A scalar matrix (at most 8 bits) read without unpacking: codes and zero points stay packed as stored,
     * scales stay FP16, so loading allocates the stored size and no array of one value per code.
     */
    public static PackedGroupCodes readPackedScalar(SafetensorsFile f, String p) {
        GridShape shape = gridShape(f, p);
        int rows = shape.rows(), cols = shape.cols(), bits = shape.bits();
        if (bits > 8)
            throw new ModelLoadException(f.path(), p + ".grid: packed reading supports up to 8 bits, got " + bits);
        var scaleTensor = f.tensor(p + ".scales");
        checkScaleCount(f, p, scaleTensor.numel(), shape);
        short[] scales = new short[Math.toIntExact(scaleTensor.numel())];
        if (scaleTensor.dtype() == DType.F16) {
            MemorySegment.copy(scaleTensor.segment(), F16LE, 0, scales, 0, scales.length);
        } else {
            for (int i = 0; i < scales.length; i++) {
                float v = scaleTensor.get(i);
                scales[i] = Half.floatToF16(v);
                if (Half.f16ToFloat(scales[i]) != v)
                    throw new ModelLoadException(f.path(), p + ".scales: value " + v + " is not an FP16 number");
            }
        }
        byte[] codes = packedCopy(f, p + ".codes", (long) rows * cols, bits);
        byte[] zeros = shape.symmetric() ? null : packedCopy(f, p + ".zeros", scales.length, bits);
        return new PackedGroupCodes(rows, cols, bits, shape.groupSize(), shape.symmetric(), codes, scales, zeros);
    }

    private static final ValueLayout.OfShort F16LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The packed bytes of {@code count} b-bit values under {@code name}, copied once into an array with padding. */
    private static byte[] packedCopy(SafetensorsFile f, String name, long count, int bits) {
        MemorySegment seg = f.bytes(name);
        long need = PackedGroupCodes.packedBytes(count, bits);
        if (seg.byteSize() < need)
            throw new ModelLoadException(
                    f.path(),
                    name + ": " + count + " values of " + bits + " bits need " + need + " bytes, the file has "
                            + seg.byteSize());
        byte[] out = new byte[Math.toIntExact(need + PackedGroupCodes.PAD)];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, out, 0, (int) need);
        return out;
    }

    public static Scalar readScalar(SafetensorsFile f, String p) {
        GridShape empty = gridShape(f, p);
        int rows = empty.rows(), cols = empty.cols(), bits = empty.bits(), gs = empty.groupSize();
        boolean sym = empty.symmetric();
        float[] scales = f.tensor(p + ".scales").toFloatArray();
        checkScaleCount(f, p, scales.length, empty);
        int[] zeros;
        if (sym) {
            zeros = new int[scales.length];
            Arrays.fill(zeros, 1 << (bits - 1));
        } else {
            zeros = BitPacking.unpack(f.byteArray(p + ".zeros"), scales.length, bits);
        }
        int[] codes;
        try {
            codes = BitPacking.unpack(f.byteArray(p + ".codes"), rows * cols, bits);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(f.path(), p + ".codes: " + e.getMessage());
        }
        return new Scalar(new UniformGrid(rows, cols, bits, gs, sym, scales, zeros), codes);
    }

    static float f16(float v) {
        return Half.f16ToFloat(Half.floatToF16(v));
    }
}
