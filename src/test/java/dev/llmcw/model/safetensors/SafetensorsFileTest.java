package dev.llmcw.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.tensor.DType;
import dev.llmcw.util.ModelLoadException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reader: the Python reference writer's output, and every malformed-input path. */
class SafetensorsFileTest {
    @TempDir
    Path dir;

    /** A raw safetensors file: 8-byte LE length, the header text as given, then {@code data}. */
    private Path raw(String name, String header, byte[] data) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(h.length).put(h).put(data);
        Path p = dir.resolve(name);
        Files.write(p, bb.array());
        return p;
    }

    private void assertBad(Path p, String... fragments) {
        var a = assertThatThrownBy(() -> SafetensorsFile.open(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(p.getFileName().toString());
        for (String f : fragments) a.hasMessageContaining(f);
    }

    @Test
    void readsFileWrittenByReferencePythonLibrary() throws Exception {
        Path p = Path.of(getClass()
                .getResource("/golden/safetensors/python_written.safetensors")
                .toURI());
        var f = SafetensorsFile.open(p);
        assertThat(f.metadata()).containsEntry("format", "np").containsEntry("note", "golden");
        assertThat(f.entries().keySet()).containsExactlyInAnyOrder("f32", "f16", "i32", "u8", "empty");
        var f32 = f.tensor("f32");
        assertThat(f32.shape()).containsExactly(2, 3);
        for (int i = 0; i < 6; i++) assertThat(f32.get(i)).isEqualTo(i * 0.5f - 1);
        var f16 = f.tensor("f16");
        assertThat(f16.dtype()).isEqualTo(DType.F16);
        assertThat(f16.toFloatArray()).containsExactly(1.5f, -2.25f, 65504f, 6.1035156e-05f);
        assertThat(f.ints("i32")).containsExactly(-7, 0, Integer.MAX_VALUE);
        assertThat(f.byteArray("u8")).containsExactly(0, 1, 127, (byte) 128, (byte) 255);
        assertThat(f.tensor("empty").numel()).isZero();
        assertThat(f.dataStart() % 8).isZero();
        assertThatThrownBy(() -> f.tensor("i32"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("not a float");
        assertThatThrownBy(() -> f.tensor("nope"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("missing tensor nope");
    }

    @Test
    void emptyFile() throws Exception {
        Path p = dir.resolve("empty.safetensors");
        Files.write(p, new byte[0]);
        assertBad(p, "empty");
    }

    @Test
    void shorterThanLengthField() throws Exception {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertBad(p, "too short");
    }

    @Test
    void headerLengthBeyondFile() throws Exception {
        Path p = dir.resolve("beyond.safetensors");
        Files.write(
                p,
                ByteBuffer.allocate(20)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(1000)
                        .array());
        assertBad(p, "header length 1000", "beyond the file size 20");
    }

    @Test
    void absurdHeaderLengthIsRefusedWithoutAllocating() throws Exception {
        Path p = dir.resolve("huge.safetensors");
        Files.write(
                p,
                ByteBuffer.allocate(16)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(Long.MAX_VALUE)
                        .array());
        assertBad(p, "100 MB");
        Path neg = dir.resolve("neg.safetensors");
        Files.write(
                neg,
                ByteBuffer.allocate(16)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(-5)
                        .array());
        assertBad(neg, "header length -5");
    }

    @Test
    void badJson() throws Exception {
        assertBad(raw("badjson.safetensors", "{\"a\": {\"dtype\": ", new byte[0]), "not valid JSON");
        assertBad(raw("binary.safetensors", "\u0000\u00ff", new byte[0]), "not valid JSON");
        Path notUtf8 = dir.resolve("latin1.safetensors");
        Files.write(
                notUtf8,
                ByteBuffer.allocate(12)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(4)
                        .put(new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'})
                        .array());
        assertBad(notUtf8, "UTF-8");
    }

    @Test
    void nonObjectHeader() throws Exception {
        assertBad(raw("array.safetensors", "[1, 2, 3]", new byte[0]), "not a JSON object", "array");
        assertBad(raw("entry.safetensors", "{\"x\": 5}", new byte[0]), "tensor x", "not a JSON object");
        assertBad(raw("meta.safetensors", "{\"__metadata__\": [1]}", new byte[0]), "__metadata__");
    }

    @Test
    void duplicateTensorName() throws Exception {
        String e = "{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}";
        assertBad(raw("dup.safetensors", "{\"a\":" + e + ",\"a\":" + e + "}", new byte[1]), "not valid JSON", "a");
    }

    @Test
    void unknownDtype() throws Exception {
        assertBad(
                raw(
                        "dtype.safetensors",
                        "{\"w\":{\"dtype\":\"F24\",\"shape\":[2],\"data_offsets\":[0,6]}}",
                        new byte[6]),
                "tensor w",
                "unknown dtype F24");
        assertBad(
                raw("nodtype.safetensors", "{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor w",
                "dtype");
    }

    @Test
    void shapeSizeMismatch() throws Exception {
        assertBad(
                raw(
                        "mismatch.safetensors",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}",
                        new byte[24]),
                "tensor w",
                "needs 24 bytes",
                "span 20");
    }

    @Test
    void negativeAndNonIntegerDims() throws Exception {
        assertBad(
                raw(
                        "neg.safetensors",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2,3],\"data_offsets\":[0,0]}}",
                        new byte[0]),
                "tensor w",
                "negative dimension -2");
        assertBad(
                raw(
                        "frac.safetensors",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}",
                        new byte[8]),
                "tensor w",
                "not an integer");
        assertBad(
                raw(
                        "overflow.safetensors",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296]," + "\"data_offsets\":[0,0]}}",
                        new byte[0]),
                "tensor w",
                "overflows");
        assertBad(
                raw(
                        "width-overflow.safetensors",
                        "{\"w\":{\"dtype\":\"F64\",\"shape\":[2305843009213693952]," + "\"data_offsets\":[0,0]}}",
                        new byte[0]),
                "tensor w",
                "overflows");
    }

    @Test
    void offsetsOutsideFile() throws Exception {
        assertBad(
                raw(
                        "outside.safetensors",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}",
                        new byte[16]),
                "tensor w",
                "outside the data section of 16 bytes");
        assertBad(
                raw(
                        "reversed.safetensors",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}",
                        new byte[16]),
                "tensor w",
                "invalid");
        assertBad(
                raw(
                        "oneoffset.safetensors",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}",
                        new byte[4]),
                "tensor w",
                "two integers");
        assertBad(
                raw(
                        "stroffset.safetensors",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"0\",4]}}",
                        new byte[4]),
                "tensor w",
                "not integers");
    }

    @Test
    void overlappingTensors() throws Exception {
        assertBad(
                raw(
                        "overlap.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                        new byte[12]),
                "a and b overlap");
    }

    @Test
    void truncatedFile() throws Exception {
        Path good = dir.resolve("good.safetensors");
        new SafetensorsWriter()
                .add("w", DType.F32, new long[] {16, 16}, new float[256])
                .write(good);
        byte[] all = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length - 1));
        assertBad(cut, "tensor w", "outside the data section", "truncated");
        Path cutHeader = dir.resolve("cut-header.safetensors");
        Files.write(cutHeader, Arrays.copyOf(all, 20));
        assertBad(cutHeader, "beyond the file size 20");
    }

    @Test
    void directoryIsNotAFile() {
        assertThatThrownBy(() -> SafetensorsFile.open(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(dir.toString());
    }

    /**
     * A tensor whose data lies past 2 GiB (int offsets would overflow): the file is sparse, so only the
     * header and the last 16 bytes are really written.
     */
    @Test
    void mapsTensorsBeyondTwoGigabytesInASparseFile() throws Exception {
        long padBytes = 2_200_000_000L;
        String header = "{\"pad\":{\"dtype\":\"U8\",\"shape\":[" + padBytes + "],\"data_offsets\":[0," + padBytes
                + "]}," + "\"far\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[" + padBytes + ","
                + (padBytes + 16) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path p = dir.resolve("sparse.safetensors");
        long dataStart = 8 + h.length;
        try (var raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(h.length)
                    .array());
            raf.write(h);
            raf.setLength(dataStart + padBytes + 16);
            raf.seek(dataStart + padBytes);
            raf.write(ByteBuffer.allocate(16)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putFloat(1.25f)
                    .putFloat(-3f)
                    .putFloat(7.5f)
                    .putFloat(1e-3f)
                    .array());
        }
        var f = SafetensorsFile.open(p);
        assertThat(f.entry("far").begin()).isGreaterThan(Integer.MAX_VALUE);
        var far = f.tensor("far");
        assertThat(far.toFloatArray()).containsExactly(1.25f, -3f, 7.5f, 1e-3f);
        assertThat(f.bytes("pad").byteSize()).isEqualTo(padBytes);
        Files.delete(p);
    }
}
