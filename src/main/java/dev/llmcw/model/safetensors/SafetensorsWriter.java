package dev.llmcw.model.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Half;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.AtomicFiles;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a safetensors file: 8-byte little-endian header length, a JSON header (tensor name →
 * dtype, shape, data_offsets; optional "__metadata__" of string pairs), then the tensor bytes.
 * Tensors are added as raw little-endian bytes, converted from float arrays, converted from any
 * {@link Tensor}, or streamed by a {@link ByteProducer}: since every size is known up front the header
 * is written first and each tensor's bytes are produced only when the file is written, so models far
 * larger than the heap (Llama-3.2-1B is 2.5 GB in BF16) can be written tensor by tensor.
 * The file is written to a temporary sibling and moved into place atomically, so a crash never leaves
 * a half-written model. Besides the standard dtypes, raw integer tensors (U8, I8, I16, I32, I64) hold
 * compressed codes.
 */
public final class SafetensorsWriter {
    /** Produces exactly a tensor's little-endian bytes when the file is written. */
    @FunctionalInterface
    public interface ByteProducer {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Entry(String name, String dtype, long[] shape, long size, ByteProducer producer) {}

    private static final int CHUNK = 1 << 16; // elements converted per step when streaming a Tensor

    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds raw little-endian bytes under a safetensors dtype name ("F32", "BF16", "U8", "I32", ...). */
    public SafetensorsWriter addRaw(String name, String dtype, long[] shape, byte[] data) {
        long need = byteSize(name, dtype, shape);
        if (need != data.length) {
            throw new IllegalArgumentException(
                    name + ": " + dtype + Arrays.toString(shape) + " needs " + need + " bytes, got " + data.length);
        }
        return addEntry(new Entry(name, dtype, shape.clone(), need, out -> out.write(data)));
    }

    /**
     * Adds a tensor whose bytes are produced later, during {@link #write}; the producer must write exactly
     * the bytes the dtype and shape imply (checked).
     */
    public SafetensorsWriter addStreamed(String name, String dtype, long[] shape, ByteProducer producer) {
        return addEntry(new Entry(name, dtype, shape.clone(), byteSize(name, dtype, shape), producer));
    }

    /** Adds float data converted to F32, F16 or BF16. */
    public SafetensorsWriter add(String name, DType type, long[] shape, float[] values) {
        ByteBuffer bb = ByteBuffer.allocate(values.length * width(type)).order(ByteOrder.LITTLE_ENDIAN);
        encode(type, values, 0, values.length, bb);
        return addRaw(name, type.name(), shape, bb.array());
    }

    /**
     * Adds any float-readable tensor stored as F32, F16 or BF16; converted chunk by chunk while writing
     * (same-type tensors are copied byte for byte), so the source may be a multi-gigabyte mapped view.
     */
    public SafetensorsWriter add(String name, DType type, Tensor source) {
        width(type);
        return addStreamed(name, type.name(), source.shape(), out -> writeConverted(source, type, out));
    }

    /**
     * Writes {@code source} as little-endian F32/F16/BF16 bytes: copied byte for byte when the types
     * match, otherwise converted chunk by chunk (never the whole tensor on the heap).
     */
    public static void writeConverted(Tensor source, DType type, OutputStream out) throws IOException {
        if (source.dtype() == type) {
            copy(source.segment(), out);
            return;
        }
        float[] buf = new float[CHUNK];
        ByteBuffer bb = ByteBuffer.allocate(CHUNK * width(type)).order(ByteOrder.LITTLE_ENDIAN);
        for (long off = 0; off < source.numel(); off += CHUNK) {
            int n = (int) Math.min(CHUNK, source.numel() - off);
            source.toFloat(off, buf, 0, n);
            bb.clear();
            encode(type, buf, 0, n, bb);
            out.write(bb.array(), 0, bb.position());
        }
    }

    public SafetensorsWriter addInts(String name, long[] shape, int[] values) {
        ByteBuffer bb = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) bb.putInt(v);
        return addRaw(name, "I32", shape, bb.array());
    }

    public SafetensorsWriter addBytes(String name, long[] shape, byte[] values) {
        return addRaw(name, "U8", shape, values);
    }

    /** Encodes values[from, from+n) as little-endian F32/F16/BF16 into bb (which must have room). */
    public static void encode(DType type, float[] values, int from, int n, ByteBuffer bb) {
        switch (type) {
            case F32 -> {
                for (int i = from; i < from + n; i++) bb.putFloat(values[i]);
            }
            case F16 -> {
                for (int i = from; i < from + n; i++) bb.putShort(Half.floatToF16(values[i]));
            }
            case BF16 -> {
                for (int i = from; i < from + n; i++) bb.putShort(Half.floatToBf16(values[i]));
            }
            default -> throw new IllegalArgumentException("safetensors cannot store " + type);
        }
    }

    private static int width(DType type) {
        return switch (type) {
            case F32 -> 4;
            case F16, BF16 -> 2;
            default -> throw new IllegalArgumentException("safetensors cannot store " + type);
        };
    }

    /** Writes the bytes of {@code seg} (e.g. a mapped tensor) through a 1 MB buffer. */
    public static void copy(MemorySegment seg, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 20];
        for (long off = 0; off < seg.byteSize(); off += buf.length) {
            int n = (int) Math.min(buf.length, seg.byteSize() - off);
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, off, buf, 0, n);
            out.write(buf, 0, n);
        }
    }

    private static long byteSize(String name, String dtype, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return Math.multiplyExact(n, (long) SafetensorsDTypes.width(dtype));
    }

    private SafetensorsWriter addEntry(Entry e) {
        if (e.name.equals("__metadata__") || !names.add(e.name)) {
            throw new IllegalArgumentException("duplicate or reserved tensor name " + e.name);
        }
        entries.add(e);
        return this;
    }

    /** The header bytes (JSON padded with spaces so the data section starts at a multiple of 8). */
    private byte[] header() throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode header = om.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode md = header.putObject("__metadata__");
            metadata.forEach(md::put);
        }
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode t = header.putObject(e.name);
            t.put("dtype", e.dtype);
            var shape = t.putArray("shape");
            for (long d : e.shape) shape.add(d);
            var offs = t.putArray("data_offsets");
            offs.add(offset);
            offs.add(offset + e.size);
            offset += e.size;
        }
        byte[] json = om.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - json.length % 8) % 8; // align the data section to 8 bytes, padding with spaces
        byte[] headerBytes = Arrays.copyOf(json, json.length + pad);
        Arrays.fill(headerBytes, json.length, headerBytes.length, (byte) ' ');
        return headerBytes;
    }

    /** Writes the file atomically and returns its size in bytes. */
    public long write(Path file) throws IOException {
        byte[] headerBytes = header();
        long[] total = {8 + headerBytes.length};
        writeAtomically(file, out -> {
            out.write(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(headerBytes.length)
                    .array());
            out.write(headerBytes);
            for (Entry e : entries) {
                var counting = new CountingStream(out);
                e.producer.writeTo(counting);
                if (counting.count != e.size) {
                    throw new IOException(file + ": tensor " + e.name + " produced " + counting.count
                            + " bytes, expected " + e.size + " for " + e.dtype + Arrays.toString(e.shape));
                }
                total[0] += e.size;
            }
        });
        return total[0];
    }

    /**
     * Writes {@code file} atomically through {@link AtomicFiles} (temporary sibling, fsync, rename):
     * readers see either the old file or the complete new one.
     */
    public static void writeAtomically(Path file, ByteProducer content) throws IOException {
        AtomicFiles.write(file, content::writeTo);
    }

    /** Counts bytes; close() is not passed on, so a producer cannot close the file under us. */
    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() {}
    }
}
