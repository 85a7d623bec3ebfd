package dev.llmcw.model.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.tensor.Tensors;
import dev.llmcw.util.MappedFile;
import dev.llmcw.util.ModelLoadException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A memory-mapped safetensors file: header parsed and validated, tensors exposed as zero-copy views.
 * Every structural problem (header length, JSON, dtype, shape, offsets, overlap, truncation) is reported
 * as a {@link ModelLoadException} naming the file, before any tensor is touched: a corrupt download
 * must fail with a readable message, never with an out-of-memory error or an exception deep in a kernel.
 */
public final class SafetensorsFile {
    /**
     * Same cap as the reference Rust implementation: a header above 100 MB is a corrupt length field,
     * and refusing it keeps a bad file from making us allocate gigabytes for "JSON".
     */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    // Strict duplicate detection: two entries for one tensor name would otherwise silently keep the last.
    private static final ObjectMapper HEADER_MAPPER =
            new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** One header entry; begin/end are byte offsets into the data section (after the header). */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        public long byteSize() {
            return end - begin;
        }

        public long numel() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    private final Path path;
    private final MemorySegment data;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(
            Path path, MemorySegment data, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.data = data;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) {
        MemorySegment seg = MappedFile.map(path);
        long size = seg.byteSize();
        if (size == 0) throw new ModelLoadException(path, "safetensors file is empty");
        if (size < 8) {
            throw new ModelLoadException(
                    path, "safetensors file is " + size + " bytes, too short for the 8-byte header length");
        }
        long headerLen = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen < 2) {
            throw new ModelLoadException(
                    path, "safetensors header length " + headerLen + " is invalid (not a safetensors file?)");
        }
        if (headerLen > MAX_HEADER_BYTES) {
            throw new ModelLoadException(
                    path,
                    "safetensors header length " + headerLen
                            + " exceeds the 100 MB limit (corrupt file or not a safetensors file)");
        }
        if (8 + headerLen > size) {
            throw new ModelLoadException(
                    path,
                    "safetensors header length " + headerLen + " is beyond the file size " + size
                            + " (truncated file?)");
        }
        JsonNode root = parseHeader(path, seg.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE));
        MemorySegment body = seg.asSlice(8 + headerLen);
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (var f : root.properties()) {
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw new ModelLoadException(path, "__metadata__ is not a JSON object");
                for (var m : v.properties()) {
                    JsonNode mv = m.getValue();
                    // The format says string → string; tolerate other scalars written by lax tools, as text.
                    if (mv.isContainerNode()) {
                        throw new ModelLoadException(path, "__metadata__ value of " + m.getKey() + " is not a string");
                    }
                    metadata.put(m.getKey(), mv.asText());
                }
                continue;
            }
            entries.put(name, parseEntry(path, name, v, body.byteSize()));
        }
        checkNoOverlap(path, entries);
        return new SafetensorsFile(
                path, body, 8 + headerLen, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
    }

    private static JsonNode parseHeader(Path path, byte[] json) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(json))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ModelLoadException(path, "safetensors header is not valid UTF-8 (not a safetensors file?)", e);
        }
        JsonNode root;
        try {
            root = HEADER_MAPPER.readTree(text);
        } catch (Exception e) {
            throw new ModelLoadException(path, "safetensors header is not valid JSON: " + firstLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelLoadException(
                    path,
                    "safetensors header is not a JSON object but "
                            + (root == null
                                    ? "empty"
                                    : root.getNodeType().toString().toLowerCase()));
        }
        return root;
    }

    private static Entry parseEntry(Path path, String name, JsonNode v, long dataBytes) {
        if (!v.isObject()) throw new ModelLoadException(path, "tensor " + name + ": header entry is not a JSON object");
        JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
        if (dt == null || !dt.isTextual())
            throw new ModelLoadException(path, "tensor " + name + ": missing or non-string dtype");
        if (sh == null || !sh.isArray())
            throw new ModelLoadException(path, "tensor " + name + ": missing or non-array shape");
        if (off == null || !off.isArray() || off.size() != 2) {
            throw new ModelLoadException(path, "tensor " + name + ": data_offsets must be an array of two integers");
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
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong()) {
                throw new ModelLoadException(path, "tensor " + name + ": dimension " + d + " is not an integer");
            }
            shape[i] = d.asLong();
            if (shape[i] < 0) throw new ModelLoadException(path, "tensor " + name + ": negative dimension " + shape[i]);
            try {
                n = Math.multiplyExact(n, shape[i]);
            } catch (ArithmeticException e) {
                throw new ModelLoadException(
                        path, "tensor " + name + ": shape " + Arrays.toString(shape) + " overflows");
            }
        }
        long need;
        try {
            need = Math.multiplyExact(n, (long) width);
        } catch (ArithmeticException e) {
            throw new ModelLoadException(path, "tensor " + name + ": shape overflows");
        }
        JsonNode b = off.get(0), e = off.get(1);
        if (!b.isIntegralNumber() || !e.isIntegralNumber() || !b.canConvertToLong() || !e.canConvertToLong()) {
            throw new ModelLoadException(path, "tensor " + name + ": data_offsets " + off + " are not integers");
        }
        long begin = b.asLong(), end = e.asLong();
        if (begin < 0 || end < begin) {
            throw new ModelLoadException(
                    path, "tensor " + name + ": data_offsets [" + begin + ", " + end + ") are invalid");
        }
        if (end > dataBytes) {
            throw new ModelLoadException(
                    path,
                    "tensor " + name + ": data_offsets [" + begin + ", " + end + ") lie outside the data section of "
                            + dataBytes + " bytes (truncated file?)");
        }
        if (end - begin != need) {
            throw new ModelLoadException(
                    path,
                    "tensor " + name + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs " + need
                            + " bytes but data_offsets span " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void checkNoOverlap(Path path, Map<String, Entry> entries) {
        var sorted = entries.values().stream()
                .filter(e -> e.end > e.begin)
                .sorted(Comparator.comparingLong(Entry::begin))
                .toList();
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).begin < sorted.get(i - 1).end) {
                throw new ModelLoadException(
                        path,
                        "tensors " + sorted.get(i - 1).name + " and " + sorted.get(i).name
                                + " overlap (data_offsets [" + sorted.get(i - 1).begin + ", " + sorted.get(i - 1).end
                                + ") and ["
                                + sorted.get(i).begin + ", " + sorted.get(i).end + "))");
            }
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean has(String name) {
        return entries.containsKey(name);
    }

    /** File offset where the data section starts (8 + header length); a multiple of 8 in files we write. */
    public long dataStart() {
        return dataStart;
    }

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
        DType t = floatType(e.dtype);
        if (t == null)
            throw new ModelLoadException(path, "tensor " + name + " has dtype " + e.dtype + ", not a float type");
        return Tensors.wrap(t, e.shape, bytes(name));
    }

    /** The tensor type of a safetensors float dtype name, or null for non-float dtypes. */
    public static DType floatType(String dtype) {
        return switch (dtype) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            default -> null;
        };
    }

    public int[] ints(String name) {
        Entry e = entry(name);
        if (!e.dtype.equals("I32"))
            throw new ModelLoadException(path, "tensor " + name + " is " + e.dtype + ", expected I32");
        return bytes(name).toArray(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    public byte[] byteArray(String name) {
        return bytes(name).toArray(ValueLayout.JAVA_BYTE);
    }
}
