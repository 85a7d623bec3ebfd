package dev.llmcw.model.gguf;

import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Half;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.ModelLoadException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3 files: metadata, tensor infos and the data section, every tensor aligned to 32
 * bytes. Tensors are either copied byte for byte from an existing tensor or encoded from floats into
 * F32, F16, BF16, Q8_0 or Q4_0 (ggml's reference quantisers), streaming in chunks so a large model
 * never needs a second in-memory copy.
 */
public final class GgufWriter {
    private static final int ALIGNMENT = GgufFile.DEFAULT_ALIGNMENT;
    private static final int CHUNK = 1 << 16; // values per encode chunk (a multiple of the Q block size)

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Entry> tensors = new ArrayList<>();

    /**
     * One tensor: copied from {@code source}, encoded from {@code values} (row by row with the per-column
     * {@code importance} weights when given), or {@code blocks} already encoded as {@code type}.
     */
    private record Entry(
            String name, long[] shape, DType type, Tensor source, float[] values, float[] importance, byte[] blocks) {
        Entry(String name, long[] shape, DType type, Tensor source, float[] values) {
            this(name, shape, type, source, values, null, null);
        }
    }

    public GgufWriter put(String key, GgufValue value) {
        metadata.put(key, value);
        return this;
    }

    public GgufWriter put(String key, String value) {
        return put(key, GgufValue.of(value));
    }

    /** Unsigned 32-bit integer, the type llama.cpp's converters use for counts. */
    public GgufWriter putUint32(String key, long value) {
        return put(key, GgufValue.uint32(value));
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValue.float32(value));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValue.bool(value));
    }

    /** Copies a tensor's bytes as they are. */
    public GgufWriter addTensor(String name, Tensor t) {
        return add(new Entry(name, t.shape(), t.dtype(), t, null));
    }

    /** Converts a tensor (any type) to {@code type}; row-major {@code shape} is the tensor's. */
    public GgufWriter addTensor(String name, Tensor t, DType type) {
        if (t.dtype() == type) return addTensor(name, t);
        return add(new Entry(name, t.shape(), type, t, null));
    }

    /** Encodes row-major float values of the given shape as {@code type}. */
    public GgufWriter addTensor(String name, long[] shape, DType type, float[] values) {
        return add(new Entry(name, shape.clone(), type, null, values));
    }

    /**
     * Encodes row-major float values as {@code type} with llama.cpp's importance-matrix quantizer:
     * {@code importance} holds one weight per column (an imatrix entry); null gives the reference quantizer.
     */
    public GgufWriter addTensor(String name, long[] shape, DType type, float[] values, float[] importance) {
        if (importance != null && importance.length != shape[shape.length - 1]) {
            throw new IllegalArgumentException(name + ": " + importance.length + " importance weights for rows of "
                    + shape[shape.length - 1] + " values");
        }
        return add(new Entry(name, shape.clone(), type, null, values, importance, null));
    }

    /** Stores blocks already encoded as {@code type} (e.g. a kquant-compressed model's) as they are. */
    public GgufWriter addEncoded(String name, long[] shape, DType type, byte[] blocks) {
        long numel = 1;
        for (long d : shape) numel = Math.multiplyExact(numel, d);
        if (blocks.length != type.bytesFor(numel)) {
            throw new IllegalArgumentException(name + ": " + blocks.length + " bytes for " + Arrays.toString(shape)
                    + " of " + type + " (" + type.bytesFor(numel) + " expected)");
        }
        return add(new Entry(name, shape.clone(), type, null, null, null, blocks));
    }

    private GgufWriter add(Entry e) {
        long numel = 1;
        for (long d : e.shape) numel = Math.multiplyExact(numel, d);
        if (e.values != null && e.values.length != numel) {
            throw new IllegalArgumentException(
                    e.name + ": " + e.values.length + " values for shape " + Arrays.toString(e.shape));
        }
        if (e.shape[e.shape.length - 1] % e.type.blockSize() != 0) {
            throw new IllegalArgumentException(e.name + ": rows of " + e.shape[e.shape.length - 1]
                    + " values cannot be stored as " + e.type + " (block size " + e.type.blockSize() + ")");
        }
        for (Entry x : tensors)
            if (x.name.equals(e.name)) throw new IllegalArgumentException("duplicate tensor " + e.name);
        tensors.add(e);
        return this;
    }

    /** Writes the file atomically: a failure at any point leaves the old file (or none), never a partial one. */
    public void write(Path file) {
        try {
            AtomicFiles.write(file, this::writeTo);
        } catch (IOException e) {
            throw new ModelLoadException(file, "cannot write GGUF: " + e.getMessage(), e);
        }
    }

    /** Streams the whole GGUF file to {@code os}. */
    public void writeTo(OutputStream os) throws IOException {
        var out = new CountingOut(os);
        out.i32(GgufFile.MAGIC);
        out.i32(3);
        out.i64(tensors.size());
        out.i64(metadata.size());
        for (var e : metadata.entrySet()) {
            out.string(e.getKey());
            out.i32(e.getValue().type().code());
            writeValue(out, e.getValue());
        }
        long offset = 0;
        for (Entry t : tensors) {
            out.string(t.name);
            out.i32(t.shape.length);
            for (int i = t.shape.length - 1; i >= 0; i--) out.i64(t.shape[i]); // GGUF lists ne0 (fastest) first
            out.i32(GgmlType.fromDType(t.type));
            out.i64(offset);
            offset = GgufFile.alignUp(offset + t.type.bytesFor(numel(t)), ALIGNMENT);
        }
        out.pad(ALIGNMENT);
        for (Entry t : tensors) {
            writeData(out, t);
            out.pad(ALIGNMENT);
        }
    }

    private static long numel(Entry t) {
        long n = 1;
        for (long d : t.shape) n *= d;
        return n;
    }

    private static void writeData(CountingOut out, Entry t) throws IOException {
        long numel = numel(t);
        if (t.blocks != null) {
            out.write(t.blocks, 0, t.blocks.length);
            return;
        }
        if (t.importance != null) {
            int cols = (int) t.shape[t.shape.length - 1];
            byte[] row = new byte[(int) t.type.bytesFor(cols)];
            for (long r = 0; r < numel / cols; r++) {
                GgmlQuantizer.quantizeRow(t.type, t.values, (int) (r * cols), cols, t.importance, row, 0);
                out.write(row, 0, row.length);
            }
            return;
        }
        if (t.source != null && t.source.dtype() == t.type) {
            var seg = t.source.segment();
            byte[] buf = new byte[1 << 20];
            for (long p = 0; p < seg.byteSize(); p += buf.length) {
                int n = (int) Math.min(buf.length, seg.byteSize() - p);
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, p, buf, 0, n);
                out.write(buf, 0, n);
            }
            return;
        }
        float[] chunk = new float[(int) Math.min(CHUNK, numel)];
        byte[] bytes = new byte[(int) t.type.bytesFor(chunk.length)];
        for (long p = 0; p < numel; p += chunk.length) {
            int n = (int) Math.min(chunk.length, numel - p);
            if (t.values != null) System.arraycopy(t.values, (int) p, chunk, 0, n);
            else t.source.toFloat(p, chunk, 0, n);
            int len = encode(t.type, chunk, n, bytes);
            out.write(bytes, 0, len);
        }
    }

    /** Encodes n floats into bytes, returning the byte count. */
    static int encode(DType type, float[] x, int n, byte[] out) {
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) putInt(out, 4 * i, Float.floatToRawIntBits(x[i]));
                return 4 * n;
            }
            case F16 -> {
                for (int i = 0; i < n; i++) putShort(out, 2 * i, Half.floatToF16(x[i]));
                return 2 * n;
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) putShort(out, 2 * i, Half.floatToBf16(x[i]));
                return 2 * n;
            }
            case Q8_0 -> {
                GgmlQuant.quantizeQ8_0(x, 0, n, out, 0);
                return n / 32 * 34;
            }
            case Q4_0 -> {
                GgmlQuant.quantizeQ4_0(x, 0, n, out, 0);
                return n / 32 * 18;
            }
            default -> {
                // without importance weights every block type quantizes block by block, so chunks may span rows
                GgmlQuantizer.quantizeRow(type, x, 0, n, null, out, 0);
                return (int) type.bytesFor(n);
            }
        }
    }

    private static void putShort(byte[] b, int o, short v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >> 8);
    }

    private static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >> 8);
        b[o + 2] = (byte) (v >> 16);
        b[o + 3] = (byte) (v >> 24);
    }

    private static void writeValue(CountingOut out, GgufValue v) throws IOException {
        if (v.type() == GgufType.ARRAY) {
            writeArray(out, v.elemType(), v.value());
        } else {
            writeScalar(out, v.type(), v.value());
        }
    }

    private static void writeArray(CountingOut out, GgufType et, Object arr) throws IOException {
        out.i32(et.code());
        int n = Array.getLength(arr);
        out.i64(n);
        for (int i = 0; i < n; i++) {
            Object x = Array.get(arr, i);
            if (et == GgufType.ARRAY) {
                GgufValue inner = (GgufValue) x;
                writeArray(out, inner.elemType(), inner.value());
            } else {
                writeScalar(out, et, x);
            }
        }
    }

    private static void writeScalar(CountingOut out, GgufType t, Object x) throws IOException {
        switch (t) {
            case UINT8, INT8 -> out.write(((Number) x).intValue());
            case BOOL -> out.write(((Boolean) x) ? 1 : 0);
            case UINT16, INT16 -> {
                int v = ((Number) x).intValue();
                out.write(v);
                out.write(v >> 8);
            }
            case UINT32, INT32 -> out.i32(((Number) x).intValue());
            case FLOAT32 -> out.i32(Float.floatToRawIntBits(((Number) x).floatValue()));
            case UINT64, INT64 -> out.i64(((Number) x).longValue());
            case FLOAT64 -> out.i64(Double.doubleToRawLongBits(((Number) x).doubleValue()));
            case STRING -> out.string((String) x);
            case ARRAY -> throw new IllegalArgumentException("nested array must be a GgufValue");
        }
    }

    /** Little-endian output that tracks its position for alignment padding. */
    private static final class CountingOut {
        private final OutputStream os;
        private long pos;

        CountingOut(OutputStream os) {
            this.os = os;
        }

        void write(int b) throws IOException {
            os.write(b);
            pos++;
        }

        void write(byte[] b, int off, int len) throws IOException {
            os.write(b, off, len);
            pos += len;
        }

        void i32(int v) throws IOException {
            for (int i = 0; i < 4; i++) write(v >>> (8 * i));
        }

        void i64(long v) throws IOException {
            for (int i = 0; i < 8; i++) write((int) (v >>> (8 * i)));
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            write(b, 0, b.length);
        }

        void pad(int alignment) throws IOException {
            while (pos % alignment != 0) write(0);
        }
    }
}
