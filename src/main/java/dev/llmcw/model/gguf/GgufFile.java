package dev.llmcw.model.gguf;

import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.tensor.Tensors;
import dev.llmcw.util.FileMagic;
import dev.llmcw.util.MappedFile;
import dev.llmcw.util.ModelLoadException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped GGUF file (versions 2 and 3, little-endian): header, typed metadata, tensor infos,
 * and zero-copy tensor views of the data section. Every count and length read from the file is
 * checked against the bytes that remain before anything is allocated, so a corrupt or hostile file
 * fails with a {@link ModelLoadException} rather than an OutOfMemoryError.
 */
public final class GgufFile {
    public static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int32
    public static final int DEFAULT_ALIGNMENT = 32;
    /** GGML_MAX_DIMS. */
    private static final int MAX_DIMS = 4;

    private static final int MAX_NESTING = 8;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final MemorySegment seg;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final Map<String, GgufTensorInfo> tensorInfos;
    private final int alignment;
    private final long dataStart;
    private long pos;

    private GgufFile(Path path, MemorySegment seg) {
        this.path = path;
        this.seg = seg;
        if (seg.byteSize() < 4 || seg.get(I32, 0) != MAGIC) {
            throw fail("not a GGUF file (the first 4 bytes are not \"GGUF\")");
        }
        pos = 4;
        version = readI32("version");
        if (version != 2 && version != 3) {
            throw fail("unsupported GGUF version " + version + " (supported: 2, 3)");
        }
        long nTensors = readI64("tensor count");
        long nKv = readI64("metadata count");
        // Smallest encodings: a KV is key(8+1) + type(4) + a 1-byte value; a tensor info is
        // name(8+1) + n_dims(4) + one dim(8) + type(4) + offset(8).
        if (nKv < 0 || nKv > remaining() / 14)
            throw fail("implausible metadata count " + nKv + " for a " + seg.byteSize() + "-byte file");
        if (nTensors < 0 || nTensors > remaining() / 33)
            throw fail("implausible tensor count " + nTensors + " for a " + seg.byteSize() + "-byte file");
        var md = new LinkedHashMap<String, GgufValue>();
        for (long i = 0; i < nKv; i++) {
            String key = readString("metadata key #" + i);
            int typeCode = readI32("type of " + key);
            GgufType type = GgufType.of(typeCode);
            if (type == null) throw fail("metadata " + key + " has unknown value type " + typeCode);
            if (md.put(key, readValue(key, type, 0)) != null) throw fail("duplicate metadata key " + key);
        }
        metadata = Collections.unmodifiableMap(md);
        GgufValue align = md.get("general.alignment");
        if (align == null) {
            alignment = DEFAULT_ALIGNMENT;
        } else {
            long a = align.value() instanceof Number n ? n.longValue() : -1;
            if (a <= 0 || a > 1 << 20 || Long.bitCount(a) != 1)
                throw fail("general.alignment " + align.value() + " is not a power of two");
            alignment = (int) a;
        }
        var infos = new LinkedHashMap<String, GgufTensorInfo>();
        for (long i = 0; i < nTensors; i++) {
            String name = readString("name of tensor #" + i);
            int nDims = readI32("dimension count of " + name);
            if (nDims < 1 || nDims > MAX_DIMS)
                throw fail("tensor " + name + " has " + nDims + " dimensions (1.." + MAX_DIMS + " allowed)");
            long[] dims = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                dims[d] = readI64("dimensions of " + name);
                if (dims[d] <= 0 || dims[d] > 1L << 40) throw fail("tensor " + name + " has dimension " + dims[d]);
            }
            int type = readI32("type of " + name);
            long offset = readI64("offset of " + name);
            long numel;
            try {
                numel = 1;
                for (long d : dims) numel = Math.multiplyExact(numel, d);
            } catch (ArithmeticException e) {
                throw fail("tensor " + name + " has too many elements " + Arrays.toString(dims));
            }
            DType dt = GgmlType.toDType(type);
            long size = -1;
            if (dt != null) {
                if (dims[0] % dt.blockSize() != 0) {
                    throw fail("tensor " + name + " of type " + GgmlType.name(type) + " has ne0=" + dims[0]
                            + ", not a multiple of the block size " + dt.blockSize());
                }
                size = dt.bytesFor(numel);
            }
            if (infos.put(name, new GgufTensorInfo(name, dims, type, offset, size)) != null)
                throw fail("duplicate tensor " + name);
        }
        tensorInfos = Collections.unmodifiableMap(infos);
        dataStart = alignUp(pos, alignment);
        if (nTensors > 0 && dataStart > seg.byteSize())
            throw fail("data section starts at " + dataStart + ", beyond the end of the file");
        for (GgufTensorInfo t : infos.values()) {
            if (t.offset() < 0 || t.offset() % alignment != 0) {
                throw fail("tensor " + t.name() + " offset " + t.offset() + " is not a multiple of the alignment "
                        + alignment);
            }
            if (t.byteSize() >= 0
                    && (t.offset() > seg.byteSize() - dataStart
                            || t.byteSize() > seg.byteSize() - dataStart - t.offset())) {
                throw fail("tensor " + t.name() + " (" + t.byteSize() + " bytes at data offset " + t.offset()
                        + ") extends beyond the end of the file (" + seg.byteSize() + " bytes, data section at "
                        + dataStart + ")");
            }
        }
        checkNoOverlap(infos.values());
    }

    /** Two tensors sharing bytes is a corrupt header: writing one would change the other. */
    private void checkNoOverlap(Collection<GgufTensorInfo> infos) {
        List<GgufTensorInfo> sorted = infos.stream()
                .filter(t -> t.byteSize() > 0)
                .sorted(Comparator.comparingLong(GgufTensorInfo::offset))
                .toList();
        for (int i = 1; i < sorted.size(); i++) {
            GgufTensorInfo a = sorted.get(i - 1), b = sorted.get(i);
            if (b.offset() < a.offset() + a.byteSize()) {
                throw fail("tensors " + a.name() + " and " + b.name() + " overlap (data bytes [" + a.offset() + ", "
                        + (a.offset() + a.byteSize()) + ") and [" + b.offset() + ", " + (b.offset() + b.byteSize())
                        + "))");
            }
        }
    }

    /** Maps and parses a GGUF file. */
    public static GgufFile open(Path path) {
        return new GgufFile(path, MappedFile.map(path));
    }

    /** Whether the file starts with the GGUF magic (cheap check for format dispatch). */
    public static boolean isGguf(Path path) {
        return FileMagic.startsWith(path, "GGUF");
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    public long dataStart() {
        return dataStart;
    }

    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    public Map<String, GgufTensorInfo> tensorInfos() {
        return tensorInfos;
    }

    public GgufValue value(String key) {
        return metadata.get(key);
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    public String getString(String key) {
        GgufValue v = require(key);
        if (v.type() != GgufType.STRING) throw fail("metadata " + key + " is " + v.type() + ", expected STRING");
        return (String) v.value();
    }

    public String getString(String key, String dflt) {
        return has(key) ? getString(key) : dflt;
    }

    public long getLong(String key) {
        GgufValue v = require(key);
        if (v.type() == GgufType.ARRAY || v.type() == GgufType.STRING)
            throw fail("metadata " + key + " is " + v.type() + ", expected a number");
        return v.asLong();
    }

    public long getLong(String key, long dflt) {
        return has(key) ? getLong(key) : dflt;
    }

    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)
            throw fail("metadata " + key + " = " + v + " is out of range");
        return (int) v;
    }

    public int getInt(String key, int dflt) {
        return has(key) ? getInt(key) : dflt;
    }

    public double getDouble(String key, double dflt) {
        if (!has(key)) return dflt;
        GgufValue v = metadata.get(key);
        if (!(v.value() instanceof Number n)) throw fail("metadata " + key + " is " + v.type() + ", expected a number");
        return n.doubleValue();
    }

    public boolean getBool(String key, boolean dflt) {
        if (!has(key)) return dflt;
        GgufValue v = metadata.get(key);
        if (v.value() instanceof Boolean b) return b;
        if (v.value() instanceof Number n) return n.longValue() != 0;
        throw fail("metadata " + key + " is " + v.type() + ", expected BOOL");
    }

    public String[] getStrings(String key) {
        GgufValue v = require(key);
        if (!(v.value() instanceof String[] s))
            throw fail("metadata " + key + " is " + v + ", expected an array of strings");
        return s;
    }

    public float[] getFloats(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof float[] f) return f;
        if (v.value() instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
            return f;
        }
        throw fail("metadata " + key + " is " + v + ", expected an array of floats");
    }

    public int[] getInts(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof int[] a) return a;
        if (v.value() instanceof long[] l) {
            int[] a = new int[l.length];
            for (int i = 0; i < l.length; i++) a[i] = Math.toIntExact(l[i]);
            return a;
        }
        throw fail("metadata " + key + " is " + v + ", expected an array of integers");
    }

    private GgufValue require(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) throw fail("missing metadata " + key);
        return v;
    }

    /** Zero-copy tensor view; fails naming the tensor for ggml types this workbench cannot map. */
    public Tensor tensor(String name) {
        GgufTensorInfo t = tensorInfos.get(name);
        if (t == null) throw fail("no tensor named " + name);
        DType dt = GgmlType.toDType(t.ggmlType());
        if (dt == null) {
            throw fail("tensor " + name + " has ggml type " + GgmlType.name(t.ggmlType()) + " (" + t.ggmlType()
                    + "), which is not supported (supported: " + GgmlType.supportedNames() + ")");
        }
        return Tensors.wrap(dt, t.shape(), seg.asSlice(dataStart + t.offset(), t.byteSize()));
    }

    /** The raw mapped bytes of the whole file. */
    public MemorySegment segment() {
        return seg;
    }

    ModelLoadException fail(String problem) {
        return new ModelLoadException(path, problem);
    }

    static long alignUp(long x, long a) {
        return (x + a - 1) / a * a;
    }

    // ---- cursor reads, each bounds-checked ----

    private long remaining() {
        return seg.byteSize() - pos;
    }

    private void need(long n, String what) {
        if (n < 0 || n > remaining()) {
            throw fail("truncated: " + what + " needs " + n + " bytes at offset " + pos + " but only " + remaining()
                    + " remain");
        }
    }

    private int readI32(String what) {
        need(4, what);
        int v = seg.get(I32, pos);
        pos += 4;
        return v;
    }

    private long readI64(String what) {
        need(8, what);
        long v = seg.get(I64, pos);
        pos += 8;
        return v;
    }

    private String readString(String what) {
        long len = readI64("length of " + what);
        if (len < 0 || len > remaining()) {
            throw fail("string length " + len + " of " + what + " at offset " + (pos - 8) + " exceeds the "
                    + remaining() + " bytes that remain");
        }
        if (len > Integer.MAX_VALUE - 16) throw fail("string length " + len + " of " + what + " is too large");
        byte[] b = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
        pos += len;
        return new String(b, StandardCharsets.UTF_8);
    }

    private GgufValue readValue(String key, GgufType type, int depth) {
        return switch (type) {
            case UINT8 -> {
                need(1, key);
                yield new GgufValue(type, null, seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF);
            }
            case INT8 -> {
                need(1, key);
                yield new GgufValue(type, null, (int) seg.get(ValueLayout.JAVA_BYTE, pos++));
            }
            case BOOL -> {
                need(1, key);
                yield new GgufValue(type, null, seg.get(ValueLayout.JAVA_BYTE, pos++) != 0);
            }
            case UINT16 -> {
                need(2, key);
                int v = seg.get(I16, pos) & 0xFFFF;
                pos += 2;
                yield new GgufValue(type, null, v);
            }
            case INT16 -> {
                need(2, key);
                int v = seg.get(I16, pos);
                pos += 2;
                yield new GgufValue(type, null, v);
            }
            case UINT32 -> new GgufValue(type, null, readI32(key) & 0xFFFFFFFFL);
            case INT32 -> new GgufValue(type, null, readI32(key));
            case FLOAT32 -> {
                need(4, key);
                float v = seg.get(F32, pos);
                pos += 4;
                yield new GgufValue(type, null, v);
            }
            case UINT64, INT64 -> new GgufValue(type, null, readI64(key));
            case FLOAT64 -> {
                need(8, key);
                double v = seg.get(F64, pos);
                pos += 8;
                yield new GgufValue(type, null, v);
            }
            case STRING -> new GgufValue(type, null, readString(key));
            case ARRAY -> readArray(key, depth);
        };
    }

    private GgufValue readArray(String key, int depth) {
        if (depth >= MAX_NESTING) throw fail("metadata " + key + " nests arrays deeper than " + MAX_NESTING);
        int code = readI32("element type of " + key);
        GgufType et = GgufType.of(code);
        if (et == null) throw fail("metadata " + key + " is an array of unknown type " + code);
        long n = readI64("length of " + key);
        long minElem = switch (et) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> et.size;
        };
        if (n < 0 || n > remaining() / minElem || n > Integer.MAX_VALUE - 16) {
            throw fail("array " + key + " claims " + n + " elements of " + et + " but only " + remaining()
                    + " bytes remain");
        }
        // The file may really be that large (or sparse): bound by the heap too, before allocating.
        long heapPerElement = switch (et) {
            case STRING -> 48;
            case ARRAY -> 32;
            case UINT64, INT64, FLOAT64 -> 8;
            case BOOL -> 1;
            default -> 4;
        };
        long maxHeap = Runtime.getRuntime().maxMemory();
        if (n * heapPerElement > maxHeap / 2) {
            throw fail("array " + key + " has " + n + " elements of " + et + ", more than half the " + (maxHeap >> 20)
                    + " MB of memory this JVM may use can hold (no model's metadata is that large)");
        }
        int len = (int) n;
        Object values = switch (et) {
            case UINT8, INT8, UINT16, INT16, INT32, UINT32 -> {
                int[] a = new int[len];
                for (int i = 0; i < len; i++)
                    a[i] = ((Number) readValue(key, et, depth).value()).intValue();
                yield a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[len];
                for (int i = 0; i < len; i++) a[i] = readI64(key);
                yield a;
            }
            case FLOAT32 -> {
                float[] a = seg.asSlice(pos, 4L * len).toArray(F32);
                pos += 4L * len;
                yield a;
            }
            case FLOAT64 -> {
                double[] a = seg.asSlice(pos, 8L * len).toArray(F64);
                pos += 8L * len;
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[len];
                for (int i = 0; i < len; i++) a[i] = seg.get(ValueLayout.JAVA_BYTE, pos++) != 0;
                yield a;
            }
            case STRING -> {
                String[] a = new String[len];
                for (int i = 0; i < len; i++) a[i] = readString("element " + i + " of " + key);
                yield a;
            }
            case ARRAY -> {
                GgufValue[] a = new GgufValue[len];
                for (int i = 0; i < len; i++) a[i] = readArray(key + "[" + i + "]", depth + 1);
                yield a;
            }
        };
        return new GgufValue(GgufType.ARRAY, et, values);
    }
}
