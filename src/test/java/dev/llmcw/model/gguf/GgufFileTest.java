package dev.llmcw.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Tensor;
import dev.llmcw.util.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void readsTheSharedVocabularyFile() {
        GgufFile g = GgufFile.open(TestData.require("tokenizers/gguf-vocab/ggml-vocab-llama-spm.gguf"));
        assertThat(g.version()).isEqualTo(3);
        assertThat(g.getString("general.architecture")).isEqualTo("llama");
        assertThat(g.getInt("llama.embedding_length")).isEqualTo(4096);
        assertThat(g.getStrings("tokenizer.ggml.tokens")).hasSize(32000).contains("▁Hello");
        assertThat(g.getFloats("tokenizer.ggml.scores")).hasSize(32000);
        assertThat(g.getBool("tokenizer.ggml.add_bos_token", false)).isTrue();
        assertThat(g.tensorInfos()).isEmpty();
        assertThat(g.alignment()).isEqualTo(32);
    }

    @Test
    void metadataOfEveryTypeRoundTrips() throws Exception {
        var nested = new GgufValue(GgufType.ARRAY, GgufType.ARRAY, new GgufValue[] {
            GgufValue.int32s(new int[] {1, 2}), GgufValue.strings(new String[] {"x", "ÿ€"})
        });
        var w = new GgufWriter()
                .put("u8", new GgufValue(GgufType.UINT8, null, 250))
                .put("i8", new GgufValue(GgufType.INT8, null, -7))
                .put("u16", new GgufValue(GgufType.UINT16, null, 65000))
                .put("i16", new GgufValue(GgufType.INT16, null, -30000))
                .put("u32", GgufValue.uint32(4_000_000_000L))
                .put("i32", GgufValue.int32(-123456))
                .put("u64", new GgufValue(GgufType.UINT64, null, 1L << 40))
                .put("i64", new GgufValue(GgufType.INT64, null, -(1L << 50)))
                .put("f32", GgufValue.float32(1.5f))
                .put("f64", new GgufValue(GgufType.FLOAT64, null, Math.PI))
                .putBool("bool", true)
                .put("str", "héllo ▁ world")
                .put("floats", GgufValue.floats(new float[] {1f, -2.5f}))
                .put("bools", new GgufValue(GgufType.ARRAY, GgufType.BOOL, new boolean[] {true, false}))
                .put("longs", new GgufValue(GgufType.ARRAY, GgufType.INT64, new long[] {-1, 1L << 62}))
                .put("doubles", new GgufValue(GgufType.ARRAY, GgufType.FLOAT64, new double[] {0.25}))
                .put("u8s", new GgufValue(GgufType.ARRAY, GgufType.UINT8, new int[] {0, 255}))
                .put("nested", nested)
                .put("empty", GgufValue.strings(new String[0]));
        Path p = dir.resolve("meta.gguf");
        w.write(p);
        GgufFile g = GgufFile.open(p);
        assertThat(g.getLong("u8")).isEqualTo(250);
        assertThat(g.getLong("i8")).isEqualTo(-7);
        assertThat(g.getLong("u16")).isEqualTo(65000);
        assertThat(g.getLong("i16")).isEqualTo(-30000);
        assertThat(g.getLong("u32")).isEqualTo(4_000_000_000L);
        assertThat(g.getInt("i32")).isEqualTo(-123456);
        assertThat(g.getLong("u64")).isEqualTo(1L << 40);
        assertThat(g.getLong("i64")).isEqualTo(-(1L << 50));
        assertThat(g.value("f32").value()).isEqualTo(1.5f);
        assertThat(g.getDouble("f64", 0)).isEqualTo(Math.PI);
        assertThat(g.getBool("bool", false)).isTrue();
        assertThat(g.getString("str")).isEqualTo("héllo ▁ world");
        assertThat(g.getFloats("floats")).containsExactly(1f, -2.5f);
        assertThat((boolean[]) g.value("bools").value()).containsExactly(true, false);
        assertThat((long[]) g.value("longs").value()).containsExactly(-1, 1L << 62);
        assertThat((double[]) g.value("doubles").value()).containsExactly(0.25);
        assertThat(g.getInts("u8s")).containsExactly(0, 255);
        GgufValue[] inner = (GgufValue[]) g.value("nested").value();
        assertThat((int[]) inner[0].value()).containsExactly(1, 2);
        assertThat((String[]) inner[1].value()).containsExactly("x", "ÿ€");
        assertThat(g.getStrings("empty")).isEmpty();
        assertThat(g.metadata().keySet()).startsWith("u8", "i8", "u16");
        assertThatThrownBy(() -> g.getString("u8"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("meta.gguf")
                .hasMessageContaining("u8");
        assertThatThrownBy(() -> g.getString("nope")).hasMessageContaining("missing metadata nope");
    }

    @Test
    void tensorsAreZeroCopyViewsWithReversedDims() throws Exception {
        float[] m = new float[3 * 64];
        for (int i = 0; i < m.length; i++) m[i] = i * 0.5f - 7;
        Path p = dir.resolve("t.gguf");
        new GgufWriter()
                .put("general.architecture", "test")
                .addTensor("m", new long[] {3, 64}, DType.F32, m)
                .addTensor("h", new long[] {2, 64}, DType.F16, Arrays.copyOf(m, 128))
                .addTensor("b", new long[] {64}, DType.BF16, Arrays.copyOf(m, 64))
                .addTensor("q8", new long[] {3, 64}, DType.Q8_0, m)
                .addTensor("q4", new long[] {3, 64}, DType.Q4_0, m)
                .write(p);
        GgufFile g = GgufFile.open(p);
        assertThat(g.tensorInfos().get("m").dims()).containsExactly(64, 3);
        Tensor t = g.tensor("m");
        assertThat(t.shape()).containsExactly(3, 64);
        assertThat(t.toFloatArray()).containsExactly(m);
        assertThat(g.tensor("h").dtype()).isEqualTo(DType.F16);
        assertThat(g.tensor("h").get(5)).isEqualTo(m[5]);
        assertThat(g.tensor("b").get(3)).isEqualTo(m[3]);
        assertThat(g.tensor("q8").dtype()).isEqualTo(DType.Q8_0);
        assertThat(g.tensor("q4").shape()).containsExactly(3, 64);
        for (var info : g.tensorInfos().values()) {
            assertThat((g.dataStart() + info.offset()) % 32).isZero();
        }
        // zero copy: the tensor's memory is inside the file mapping
        assertThat(t.segment().address())
                .isEqualTo(g.segment().address()
                        + g.dataStart()
                        + g.tensorInfos().get("m").offset());
    }

    @Test
    void honoursACustomAlignment() throws Exception {
        var raw = new RawGguf()
                .header(3, 1, 1)
                .str("general.alignment")
                .i32(GgufType.UINT32.code())
                .i32(64)
                .tensor("v", GgmlType.F32, 0, 4);
        raw.padTo(64).bytes(new byte[] {0, 0, (byte) 0x80, 0x3f}).zeros(12);
        GgufFile g = GgufFile.open(write("a64.gguf", raw.toBytes()));
        assertThat(g.alignment()).isEqualTo(64);
        assertThat(g.dataStart() % 64).isZero();
        assertThat(g.tensor("v").get(0)).isEqualTo(1f);
    }

    @Test
    void acceptsVersion2() throws Exception {
        var raw = new RawGguf()
                .header(2, 0, 1)
                .str("k")
                .i32(GgufType.STRING.code())
                .str("v");
        assertThat(GgufFile.open(write("v2.gguf", raw.toBytes())).getString("k"))
                .isEqualTo("v");
    }

    @Test
    void rejectsBadMagic() throws Exception {
        Path p = write("magic.gguf", "GGML and more bytes here".getBytes());
        assertThatThrownBy(() -> GgufFile.open(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("magic.gguf")
                .hasMessageContaining("not a GGUF file");
    }

    @Test
    void rejectsUnsupportedVersion() throws Exception {
        Path p = write("v9.gguf", new RawGguf().header(9, 0, 0).toBytes());
        assertThatThrownBy(() -> GgufFile.open(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("v9.gguf")
                .hasMessageContaining("unsupported GGUF version 9");
    }

    @Test
    void rejectsAbsurdCountsWithoutAllocating() throws Exception {
        Path kv =
                write("kv.gguf", new RawGguf().header(3, 0, Long.MAX_VALUE / 2).toBytes());
        assertThatThrownBy(() -> GgufFile.open(kv))
                .hasMessageContaining("kv.gguf")
                .hasMessageContaining("implausible metadata count");
        Path tc = write("tc.gguf", new RawGguf().header(3, 1L << 40, 0).toBytes());
        assertThatThrownBy(() -> GgufFile.open(tc))
                .hasMessageContaining("tc.gguf")
                .hasMessageContaining("implausible tensor count");
        Path sl = write(
                "sl.gguf", new RawGguf().header(3, 0, 1).i64(1L << 60).zeros(16).toBytes());
        assertThatThrownBy(() -> GgufFile.open(sl))
                .hasMessageContaining("sl.gguf")
                .hasMessageContaining("string length");
        Path al = write(
                "al.gguf",
                new RawGguf()
                        .header(3, 0, 1)
                        .str("arr")
                        .i32(GgufType.ARRAY.code())
                        .i32(GgufType.STRING.code())
                        .i64(Integer.MAX_VALUE - 1L)
                        .zeros(32)
                        .toBytes());
        assertThatThrownBy(() -> GgufFile.open(al))
                .hasMessageContaining("al.gguf")
                .hasMessageContaining("array arr claims");
        Path neg = write(
                "neg.gguf",
                new RawGguf()
                        .header(3, 0, 1)
                        .str("arr")
                        .i32(GgufType.ARRAY.code())
                        .i32(GgufType.FLOAT32.code())
                        .i64(-5)
                        .zeros(32)
                        .toBytes());
        assertThatThrownBy(() -> GgufFile.open(neg))
                .hasMessageContaining("neg.gguf")
                .hasMessageContaining("claims -5");
    }

    @Test
    void rejectsTruncationAndUnknownTypes() throws Exception {
        Path tr = write(
                "tr.gguf",
                new RawGguf()
                        .header(3, 0, 1)
                        .str("key")
                        .i32(GgufType.UINT64.code())
                        .i32(1)
                        .toBytes());
        assertThatThrownBy(() -> GgufFile.open(tr))
                .hasMessageContaining("tr.gguf")
                .hasMessageContaining("truncated");
        Path ut = write(
                "ut.gguf",
                new RawGguf().header(3, 0, 1).str("key").i32(77).i64(0).toBytes());
        assertThatThrownBy(() -> GgufFile.open(ut))
                .hasMessageContaining("ut.gguf")
                .hasMessageContaining("unknown value type 77");
        Path dims = write(
                "dims.gguf",
                new RawGguf()
                        .header(3, 1, 0)
                        .tensor("x", 0, 0, 1, 1, 1, 1, 1)
                        .padTo(32)
                        .zeros(32)
                        .toBytes());
        assertThatThrownBy(() -> GgufFile.open(dims))
                .hasMessageContaining("dims.gguf")
                .hasMessageContaining("5 dimensions");
    }

    @Test
    void rejectsTensorDataOutsideTheFile() throws Exception {
        var raw = new RawGguf()
                .header(3, 1, 0)
                .tensor("big", GgmlType.F32, 0, 64, 64)
                .padTo(32)
                .zeros(64);
        Path p = write("short.gguf", raw.toBytes());
        assertThatThrownBy(() -> GgufFile.open(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("short.gguf")
                .hasMessageContaining("tensor big")
                .hasMessageContaining("beyond the end of the file");
        var far = new RawGguf()
                .header(3, 1, 0)
                .tensor("far", GgmlType.F32, 1L << 50, 8)
                .padTo(32)
                .zeros(64);
        Path f = write("far.gguf", far.toBytes());
        assertThatThrownBy(() -> GgufFile.open(f))
                .hasMessageContaining("far.gguf")
                .hasMessageContaining("tensor far");
    }

    @Test
    void rejectsMisalignedOffsets() throws Exception {
        var raw = new RawGguf()
                .header(3, 1, 0)
                .tensor("odd", GgmlType.F32, 4, 8)
                .padTo(32)
                .zeros(64);
        Path p = write("misaligned.gguf", raw.toBytes());
        assertThatThrownBy(() -> GgufFile.open(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("misaligned.gguf")
                .hasMessageContaining("tensor odd offset 4 is not a multiple of the alignment 32");
        var badAlign = new RawGguf()
                .header(3, 0, 1)
                .str("general.alignment")
                .i32(GgufType.UINT32.code())
                .i32(48);
        Path a = write("align48.gguf", badAlign.toBytes());
        assertThatThrownBy(() -> GgufFile.open(a))
                .hasMessageContaining("align48.gguf")
                .hasMessageContaining("not a power of two");
    }

    @Test
    void truncatedKQuantPayloadFailsNamingFileAndTensor() throws Exception {
        // Q4_K: 2 rows of 256 values need 2 blocks of 144 bytes; the file ends 10 bytes short.
        var raw = new RawGguf()
                .header(3, 1, 0)
                .tensor("blk.0.ffn_up.weight", GgmlType.Q4_K, 0, 256, 2)
                .padTo(32)
                .zeros(2 * 144 - 10);
        Path p = write("short.gguf", raw.toBytes());
        assertThatThrownBy(() -> GgufFile.open(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("short.gguf")
                .hasMessageContaining("blk.0.ffn_up.weight")
                .hasMessageContaining("288 bytes")
                .hasMessageContaining("beyond the end of the file");
    }

    @Test
    void kQuantRowsMustHoldWholeSuperBlocks() throws Exception {
        var raw = new RawGguf()
                .header(3, 1, 0)
                .tensor("blk.0.attn_k.weight", GgmlType.Q6_K, 0, 64, 4)
                .padTo(32)
                .zeros(210);
        Path p = write("narrow.gguf", raw.toBytes());
        assertThatThrownBy(() -> GgufFile.open(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("narrow.gguf")
                .hasMessageContaining("blk.0.attn_k.weight")
                .hasMessageContaining("Q6_K")
                .hasMessageContaining("block size 256");
    }

    @Test
    void unsupportedTensorTypesFailNamingTensorAndType() throws Exception {
        // IQ2_XXS (ggml type 16, 66 bytes per 256 values): the header parses, but the tensor cannot be mapped.
        var raw = new RawGguf()
                .header(3, 1, 0)
                .tensor("blk.0.attn_q.weight", 16, 0, 256, 2)
                .padTo(32)
                .zeros(132);
        GgufFile g = GgufFile.open(write("iq2.gguf", raw.toBytes()));
        assertThatThrownBy(() -> g.tensor("blk.0.attn_q.weight"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("iq2.gguf")
                .hasMessageContaining("blk.0.attn_q.weight")
                .hasMessageContaining("IQ2_XXS")
                .hasMessageContaining("Q4_K"); // in the list of what is supported
        // Quantised rows must hold whole blocks.
        var partial = new RawGguf()
                .header(3, 1, 0)
                .tensor("q", GgmlType.Q8_0, 0, 20, 2)
                .padTo(32)
                .zeros(96);
        Path pb = write("partial.gguf", partial.toBytes());
        assertThatThrownBy(() -> GgufFile.open(pb))
                .hasMessageContaining("partial.gguf")
                .hasMessageContaining("block size 32");
    }
}
