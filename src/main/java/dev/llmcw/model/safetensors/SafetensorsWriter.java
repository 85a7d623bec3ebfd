package dev.llmcw.model.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Half;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a safetensors file: 8-byte little-endian header length, a JSON header (tensor name →
 * dtype, shape, data_offsets; optional "__metadata__" of string pairs), then the tensor bytes.
 * Tensors are added as raw little-endian bytes or converted from float arrays. The file is written to
 * a temporary sibling and moved into place atomically, so a crash never leaves a half-written model.
 * Besides the standard dtypes, raw integer tensors (U8, I8, I16, I32, I64) hold compressed codes.
 */
public final class SafetensorsWriter {
    private record Entry(String name, String dtype, long[] shape, byte[] data) {}

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds raw little-endian bytes under a safetensors dtype name ("F32", "BF16", "U8", "I32", ...). */
    public SafetensorsWriter addRaw(String name, String dtype, long[] shape, byte[] data) {
        long n = 1;
        for (long d : shape) n *= d;
        int width = SafetensorsDTypes.width(dtype);
        if (n * width != data.length) {
            throw new IllegalArgumentException(name + ": " + dtype + java.util.Arrays.toString(shape)
                    + " needs " + n * width + " bytes, got " + data.length);
        }
        entries.add(new Entry(name, dtype, shape.clone(), data));
        return this;
    }

    /** Adds float data converted to F32, F16 or BF16. */
    public SafetensorsWriter add(String name, DType type, long[] shape, float[] values) {
        ByteBuffer bb;
        switch (type) {
            case F32 -> {
                bb = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) bb.putFloat(v);
            }
            case F16 -> {
                bb = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) bb.putShort(Half.floatToF16(v));
            }
            case BF16 -> {
                bb = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) bb.putShort(Half.floatToBf16(v));
            }
            default -> throw new IllegalArgumentException("safetensors cannot store " + type);
        }
        return addRaw(name, type.name(), shape, bb.array());
    }

    public SafetensorsWriter addInts(String name, long[] shape, int[] values) {
        ByteBuffer bb = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) bb.putInt(v);
        return addRaw(name, "I32", shape, bb.array());
    }

    public SafetensorsWriter addBytes(String name, long[] shape, byte[] values) {
        return addRaw(name, "U8", shape, values);
    }

    /** Writes the file atomically and returns its size in bytes. */
    public long write(Path file) throws IOException {
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
            offs.add(offset + e.data.length);
            offset += e.data.length;
        }
        byte[] json = om.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - json.length % 8) % 8; // align the data section to 8 bytes, padding with spaces
        byte[] headerBytes = new byte[json.length + pad];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        java.util.Arrays.fill(headerBytes, json.length, headerBytes.length, (byte) ' ');
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".part");
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
                out.write(headerBytes);
                for (Entry e : entries) out.write(e.data);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return 8 + headerBytes.length + offset;
    }
}
