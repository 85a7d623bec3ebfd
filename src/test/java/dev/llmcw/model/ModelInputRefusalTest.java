package dev.llmcw.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmcw.TestData;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.rtn.RtnMethod;
import dev.llmcw.model.gguf.GgufFile;
import dev.llmcw.model.gguf.GgufModelWriter;
import dev.llmcw.model.gguf.GgufTensorInfo;
import dev.llmcw.model.hf.HfFolderWriter;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.ModelLoadException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Models that are wrong are refused at load with one sentence naming the file and the problem. */
class ModelInputRefusalTest {
    @TempDir
    Path tmp;

    private static void poke(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    private static byte[] f32(float v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array();
    }

    private static byte[] u16(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8)};
    }

    private Path storiesCopy() throws IOException {
        Path p = tmp.resolve("stories.bin");
        Files.copy(TestData.stories260K(), p);
        return p;
    }

    @Test
    void nanInAnF32Llama2cWeightIsRefusedNamingTensorAndIndex() throws Exception {
        Path p = storiesCopy();
        ModelConfig c = ModelLoader.load(p).config();
        // llama2.c order: header, embedding, attention norms, then wq of layer 0
        long q0 = 28 + 4L * ((long) c.vocabSize() * c.dim() + (long) c.nLayers() * c.dim());
        poke(p, q0 + 4 * 5, f32(Float.NaN));
        assertThatThrownBy(() -> ModelLoader.load(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("stories.bin")
                .hasMessageContaining(WeightNames.q(0))
                .hasMessageContaining("index 5")
                .hasMessageContaining("NaN");
    }

    @Test
    void aLlama2cHeaderWithFewerLayersThanTheWeightsIsRefused() throws Exception {
        Path p = storiesCopy();
        int layers = ModelLoader.load(p).config().nLayers();
        poke(
                p,
                8,
                ByteBuffer.allocate(4)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(layers - 1)
                        .array());
        assertThatThrownBy(() -> ModelLoader.load(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("stories.bin")
                .hasMessageContaining("does not match the header")
                .hasMessageContaining("layers=" + (layers - 1));
    }

    @Test
    void infInF16AndBf16HfWeightsIsRefused() throws Exception {
        Model src = ModelLoader.load(TestData.stories260K());
        for (DType dt : new DType[] {DType.F16, DType.BF16}) {
            Path dir = tmp.resolve("hf-" + dt);
            HfFolderWriter.write(src, dir, HfFolderWriter.Options.of(dt));
            Path st = dir.resolve("model.safetensors");
            SafetensorsFile f = SafetensorsFile.open(st);
            var e = f.entry(WeightNames.down(1));
            int inf = dt == DType.F16 ? 0x7C00 : 0x7F80;
            poke(st, f.dataStart() + e.begin() + 2 * 7, u16(inf | 0x8000)); // -Inf
            assertThatThrownBy(() -> ModelLoader.load(dir))
                    .as(dt.toString())
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("model.safetensors")
                    .hasMessageContaining(WeightNames.down(1))
                    .hasMessageContaining("index 7")
                    .hasMessageContaining("Infinity");
        }
    }

    @Test
    void nanScaleOfAQuantisedGgufBlockIsRefused() throws Exception {
        Model src = ModelLoader.load(TestData.stories260K());
        for (DType dt : new DType[] {DType.Q8_0, DType.Q4_0}) {
            Path p = tmp.resolve("s-" + dt + ".gguf");
            GgufModelWriter.write(src, p, dt);
            GgufFile g = GgufFile.open(p);
            GgufTensorInfo info = g.tensorInfos().get("blk.0.attn_q.weight");
            poke(p, g.dataStart() + info.offset() + 3L * dt.blockBytes(), u16(0x7E00)); // scale of block 3
            assertThatThrownBy(() -> ModelLoader.load(p))
                    .as(dt.toString())
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining(p.getFileName().toString())
                    .hasMessageContaining("blk.0.attn_q.weight")
                    .hasMessageContaining("index " + 3 * 32)
                    .hasMessageContaining("NaN");
        }
    }

    /** K-quant blocks hold their f16 fields at different offsets (DType.halfOffsets): a NaN in any is found. */
    @Test
    void nanInAKQuantSuperBlockIsRefused() throws Exception {
        // tensor, type, block, offset of the f16 field in the block (Q4_K dmin; Q6_K d at the block's end)
        Object[][] cases = {{"blk.0.attn_q.weight", DType.Q4_K, 1, 2}, {"blk.0.attn_v.weight", DType.Q6_K, 2, 208}};
        for (Object[] c : cases) {
            Path p = tmp.resolve("q4km-" + c[1] + ".gguf");
            try (var in = getClass().getResourceAsStream("/golden/gguf/kquant/synth-q4_k_m.gguf")) {
                Files.copy(in, p);
            }
            GgufFile g = GgufFile.open(p);
            GgufTensorInfo info = g.tensorInfos().get((String) c[0]);
            DType dt = (DType) c[1];
            int block = (Integer) c[2];
            poke(p, g.dataStart() + info.offset() + (long) block * dt.blockBytes() + (Integer) c[3], u16(0x7E00));
            assertThatThrownBy(() -> ModelLoader.load(p))
                    .as(dt.toString())
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining(p.getFileName().toString())
                    .hasMessageContaining((String) c[0])
                    .hasMessageContaining("index " + block * 256)
                    .hasMessageContaining("NaN");
        }
    }

    @Test
    void nanScaleInACompressedFileIsRefused() throws Exception {
        Model src = ModelLoader.load(TestData.stories260K());
        Path out = tmp.resolve("r4.safetensors");
        new RtnMethod(4, 32, false).compress(src, out, tmp.resolve("work"), null, null);
        SafetensorsFile f = SafetensorsFile.open(out);
        var scales = f.entries().values().stream()
                .filter(e -> e.name().startsWith(WeightNames.o(2)) && e.name().endsWith("scales"))
                .findFirst()
                .orElseThrow();
        int width = scales.dtype().equals("F32") ? 4 : 2;
        poke(out, f.dataStart() + scales.begin() + (long) width * 2, width == 2 ? u16(0x7E00) : f32(Float.NaN));
        assertThatThrownBy(() -> ModelLoader.load(out))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("r4.safetensors")
                .hasMessageContaining(scales.name())
                .hasMessageContaining("index 2");
    }

    @Test
    void aCompressedFileOpenedDirectlyIsCheckedToo() throws Exception {
        Model src = ModelLoader.load(TestData.stories260K());
        Path out = tmp.resolve("r4.safetensors");
        new RtnMethod(4, 32, false).compress(src, out, tmp.resolve("work"), null, null);
        SafetensorsFile f = SafetensorsFile.open(out);
        var scales = f.entries().values().stream()
                .filter(e -> e.name().endsWith("scales"))
                .findFirst()
                .orElseThrow();
        int width = scales.dtype().equals("F32") ? 4 : 2;
        poke(out, f.dataStart() + scales.begin(), width == 2 ? u16(0x7C00) : f32(Float.POSITIVE_INFINITY));
        // as caldera-quality and the GUI's compressed-file lookups open it, without ModelLoader
        for (boolean onTheFly : new boolean[] {false, true}) {
            assertThatThrownBy(() -> CompressedModels.load(out, onTheFly))
                    .as("onTheFly %s", onTheFly)
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("r4.safetensors")
                    .hasMessageContaining(scales.name())
                    .hasMessageContaining("Infinity");
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void namedPipesAndDevicesAreRefusedNotReadForever() throws Exception {
        Path fifo = tmp.resolve("model.fifo");
        boolean made;
        try {
            made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
        } catch (IOException e) {
            made = false;
        }
        assumeTrue(made, "mkfifo not available");
        assertThatThrownBy(() -> ModelLoader.load(fifo))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.fifo")
                .hasMessageContaining("not a regular file");
        Path dev = Path.of("/dev/zero");
        assumeTrue(Files.exists(dev));
        assertThatThrownBy(() -> ModelLoader.load(dev))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("/dev/zero")
                .hasMessageContaining("not a regular file");
        assertThatThrownBy(() -> ModelLoader.load(TestData.stories260K(), dev))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("/dev/zero")
                .hasMessageContaining("not a regular file");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aHugeSparseFileWithABadHeaderIsRefusedWithoutReadingIt() throws Exception {
        Path p = tmp.resolve("huge.gguf");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write(new byte[] {'G', 'G', 'U', 'F', 9, 0, 0, 0}); // version 9
            f.setLength(64L << 30);
        }
        assertThatThrownBy(() -> ModelLoader.load(p))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("huge.gguf")
                .hasMessageContaining("version 9");
        Path l2c = tmp.resolve("huge.bin");
        try (RandomAccessFile f = new RandomAccessFile(l2c.toFile(), "rw")) {
            f.setLength(64L << 30); // an all-zero llama2.c header
        }
        assertThatThrownBy(() -> ModelLoader.load(l2c))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("huge.bin")
                .hasMessageContaining("implausible llama2.c header");
    }
}
