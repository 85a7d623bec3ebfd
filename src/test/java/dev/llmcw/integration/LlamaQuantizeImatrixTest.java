package dev.llmcw.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmcw.model.Model;
import dev.llmcw.model.gguf.GgufFile;
import dev.llmcw.model.gguf.GgufModelLoader;
import dev.llmcw.model.gguf.GgufModelWriter;
import dev.llmcw.model.gguf.GgufTensorInfo;
import dev.llmcw.model.gguf.KQuantMix;
import dev.llmcw.model.gguf.LlamaImatrixFile;
import dev.llmcw.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * export-gguf --imatrix against llama-quantize --imatrix: the same F32 GGUF (the dequantised synthetic Q4_K_M model,
 * rows of 256) and the same legacy imatrix.dat (random positive sums, ncall 3, written here) give the same type and
 * bytes for every tensor, and the importance weights change the blocks. The llama-quantize half runs only where env
 * WORKBENCH_LLAMA_CPP names the folder holding llama.cpp's llama-quantize binary; the file format is checked anyway.
 */
class LlamaQuantizeImatrixTest {
    @ParameterizedTest
    @ValueSource(strings = {"Q4_K_M", "Q2_K", "Q5_0"})
    void workbenchAndLlamaQuantizeWriteTheSameTensorsWithAnImatrix(String type, @TempDir Path dir) throws Exception {
        String bin = System.getenv("WORKBENCH_LLAMA_CPP");
        assumeTrue(
                bin != null && Files.isExecutable(Path.of(bin, "llama-quantize")),
                "skipped: set WORKBENCH_LLAMA_CPP to the folder with llama.cpp's llama-quantize to run this test");
        Path source = f32Source(dir);
        Path imatrix = writeImatrix(GgufFile.open(source), dir.resolve("imatrix.dat"));
        Path theirs = dir.resolve("llama.gguf"),
                ours = dir.resolve("workbench.gguf"),
                plain = dir.resolve("plain.gguf");
        Process p = new ProcessBuilder(
                        Path.of(bin, "llama-quantize").toString(),
                        "--imatrix",
                        imatrix.toString(),
                        source.toString(),
                        theirs.toString(),
                        type,
                        "1")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("quantize.log").toFile())
                .start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue())
                .as(Files.readString(dir.resolve("quantize.log")))
                .isZero();
        Model model = GgufModelLoader.load(source);
        GgufModelWriter.write(model, ours, KQuantMix.parse(type), LlamaImatrixFile.read(imatrix));
        GgufModelWriter.write(model, plain, KQuantMix.parse(type));

        GgufFile a = GgufFile.open(theirs), b = GgufFile.open(ours), c = GgufFile.open(plain);
        assertThat(b.tensorInfos().keySet())
                .containsExactlyInAnyOrderElementsOf(a.tensorInfos().keySet());
        int changed = 0;
        for (GgufTensorInfo t : a.tensorInfos().values()) {
            GgufTensorInfo u = b.tensorInfos().get(t.name());
            assertThat(u.ggmlType()).as("%s type", t.name()).isEqualTo(t.ggmlType());
            assertThat(data(b, u)).as("%s bytes", t.name()).containsExactly(data(a, t));
            if (!Arrays.equals(data(b, u), data(c, c.tensorInfos().get(t.name())))) changed++;
        }
        assertThat(changed)
                .as("tensors whose blocks the importance weights changed")
                .isGreaterThan(0);
    }

    @Test
    void theLegacyFileIsReadAsLlamaQuantizeReadsIt(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.dat");
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        byte[] name = "blk.0.ffn_up.weight".getBytes(StandardCharsets.US_ASCII);
        b.putInt(1)
                .putInt(name.length)
                .put(name)
                .putInt(4)
                .putInt(2)
                .putFloat(6f)
                .putFloat(1f);
        Files.write(f, Arrays.copyOf(b.array(), b.position()));
        Map<String, float[]> m = LlamaImatrixFile.read(f);
        assertThat(m.get("blk.0.ffn_up.weight")).containsExactly(1.5f, 0.25f);
        Files.write(f, Arrays.copyOf(b.array(), b.position() - 3));
        assertThatThrownBy(() -> LlamaImatrixFile.read(f))
                .hasMessageContaining("ends inside an importance-matrix entry");
    }

    private static Path f32Source(Path dir) throws Exception {
        Path golden = dir.resolve("synth-q4_k_m.gguf");
        try (InputStream in =
                LlamaQuantizeImatrixTest.class.getResourceAsStream("/golden/gguf/kquant/synth-q4_k_m.gguf")) {
            Files.copy(in, golden);
        }
        Model f32 = KQuantGgufPerplexityTest.dequantised(GgufModelLoader.load(golden));
        Path source = dir.resolve("f32.gguf");
        GgufModelWriter.write(f32, source, DType.F32);
        return source;
    }

    /** An imatrix.dat with an entry for every 2-D weight but the token embedding (as llama-imatrix writes none). */
    private static Path writeImatrix(GgufFile f, Path out) throws Exception {
        Random r = new Random(21);
        List<byte[]> parts = new ArrayList<>();
        int entries = 0;
        for (GgufTensorInfo t : f.tensorInfos().values()) {
            if (t.dims().length != 2 || t.name().equals("token_embd.weight")) continue;
            int cols = (int) t.dims()[0];
            byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(12 + name.length + 4 * cols).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(name.length).put(name).putInt(3).putInt(cols);
            for (int i = 0; i < cols; i++) b.putFloat((float) (3 * Math.exp(2 * r.nextGaussian())));
            parts.add(b.array());
            entries++;
        }
        ByteBuffer head = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(entries);
        var bytes = new ByteArrayOutputStream();
        bytes.write(head.array());
        for (byte[] p : parts) bytes.write(p);
        Files.write(out, bytes.toByteArray());
        return out;
    }

    private static byte[] data(GgufFile f, GgufTensorInfo t) {
        byte[] out = new byte[(int) t.byteSize()];
        MemorySegment.copy(f.segment(), ValueLayout.JAVA_BYTE, f.dataStart() + t.offset(), out, 0, out.length);
        return out;
    }
}
