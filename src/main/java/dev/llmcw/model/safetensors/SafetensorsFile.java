package dev.llmcw.model.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmcw.model.ModelLoadException;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.tensor.Tensors;
import dev.llmcw.util.MappedFile;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A memory-mapped safetensors file: header parsed and validated, tensors exposed as zero-copy views.
 */
public final class SafetensorsFile {
    /** One header entry. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {}

    private final Path path;
    private final MemorySegment data;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, MemorySegment data, Map<String, Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.data = data;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) {
        MemorySegment seg = MappedFile.map(path);
        long size = seg.byteSize();
        if (size < 8) throw new ModelLoadException(path, "safetensors file is " + size + " bytes, too short for the 8-byte header length");
        long headerLen = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen <= 0 || headerLen > 100_000_000L || 8 + headerLen > size) {
            throw new ModelLoadException(path, "safetensors header length " + headerLen + " is beyond the file size " + size);
        }
        byte[] json = seg.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(new String(json, StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new ModelLoadException(path, "safetensors header is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new ModelLoadException(path, "safetensors header is not a JSON object");
        MemorySegment body = seg.asSlice(8 + headerLen);
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        var fields = root.properties();
        for (var f : fields) {
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw new ModelLoadException(path, "__metadata__ is not an object");
                v.properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
            if (dt == null || sh == null || off == null || !sh.isArray() || !off.isArray() || off.size() != 2) {
                throw new ModelLoadException(path, "tensor " + name + ": entry needs dtype, shape and two data_offsets");
            }
            String dtype = dt.asText();
            int width;
            try {
                width = SafetensorsDTypes.width(dtype);
            } catch (IllegalArgumentException e) {
                throw new ModelLoadException(path, "tensor " + name + ": unknown dtype " + dtype);
            }
            long[] shape = new long[sh.size()];
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = sh.get(i).asLong(-1);
                if (shape[i] < 0) throw new ModelLoadException(path, "tensor " + name + ": negative or non-integer dimension");
                n = Math.multiplyHigh(n, shape[i]) != 0 ? -1 : n * shape[i];
                if (n < 0) throw new ModelLoadException(path, "tensor " + name + ": shape overflows");
            }
            long begin = off.get(0).asLong(-1), end = off.get(1).asLong(-1);
            if (begin < 0 || end < begin || end > body.byteSize()) {
                throw new ModelLoadException(path, "tensor " + name + ": data_offsets [" + begin + ", " + end
                        + ") outside the data section of " + body.byteSize() + " bytes");
            }
            if (end - begin != n * width) {
                throw new ModelLoadException(path, "tensor " + name + ": shape " + java.util.Arrays.toString(shape) + " of "
                        + dtype + " needs " + n * width + " bytes but data_offsets span " + (end - begin));
            }
            entries.put(name, new Entry(name, dtype, shape, begin, end));
        }
        checkNoOverlap(path, entries);
        return new SafetensorsFile(path, body, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
    }

    private static void checkNoOverlap(Path path, Map<String, Entry> entries) {
        var sorted = entries.values().stream().filter(e -> e.end > e.begin)
                .sorted(java.util.Comparator.comparingLong(Entry::begin)).toList();
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).begin < sorted.get(i - 1).end) {
                throw new ModelLoadException(path, "tensors " + sorted.get(i - 1).name + " and " + sorted.get(i).name + " overlap");
            }
        }
    }

    public Path path() { return path; }
    public Map<String, Entry> entries() { return entries; }
    public Map<String, String> metadata() { return metadata; }
    public boolean has(String name) { return entries.containsKey(name); }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new ModelLoadException(path, "missing tensor " + name);
        return e;
    }

    /** Raw bytes of a tensor (zero-copy view). */
    public MemorySegment bytes(String name) {
        Entry e = entry(name);
        return data.asSlice(e.begin, e.end - e.begin);
    }

    /** A float tensor view (F32, F16, BF16). */
    public Tensor tensor(String name) {
        Entry e = entry(name);
        DType t = switch (e.dtype) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            default -> throw new ModelLoadException(path, "tensor " + name + " has dtype " + e.dtype + ", not a float type");
        };
        return Tensors.wrap(t, e.shape, bytes(name));
    }

    public int[] ints(String name) {
        Entry e = entry(name);
        if (!e.dtype.equals("I32")) throw new ModelLoadException(path, "tensor " + name + " is " + e.dtype + ", expected I32");
        return bytes(name).toArray(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    public byte[] byteArray(String name) {
        return bytes(name).toArray(ValueLayout.JAVA_BYTE);
    }
}
