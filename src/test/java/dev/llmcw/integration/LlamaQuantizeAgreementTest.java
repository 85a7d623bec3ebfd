package dev.llmcw.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmcw.model.Model;
import dev.llmcw.model.gguf.GgufFile;
import dev.llmcw.model.gguf.GgufModelLoader;
import dev.llmcw.model.gguf.GgufModelWriter;
import dev.llmcw.model.gguf.GgufTensorInfo;
import dev.llmcw.model.gguf.KQuantMix;
import dev.llmcw.tensor.DType;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * export-gguf's llama-quantize types against llama-quantize itself: the same F32 GGUF (the synthetic Q4_K_M
 * model of kquant-read's golden files, dequantised: rows of 256 and more, so the K types are used as such)
 * quantized by both gives the same type and the same bytes for every tensor. Runs only where env
 * WORKBENCH_LLAMA_CPP names the folder holding llama.cpp's llama-quantize binary.
 */
class LlamaQuantizeAgreementTest {
    @ParameterizedTest
    @ValueSource(strings = {"Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "Q4_K_S", "IQ4_NL", "Q5_1"})
    void workbenchAndLlamaQuantizeWriteTheSameTensors(String type, @TempDir Path dir) throws Exception {
        String bin = System.getenv("WORKBENCH_LLAMA_CPP");
        assumeTrue(
                bin != null && Files.isExecutable(Path.of(bin, "llama-quantize")),
                "skipped: set WORKBENCH_LLAMA_CPP to the folder with llama.cpp's llama-quantize to run this test");
        Path golden = dir.resolve("synth-q4_k_m.gguf");
        try (InputStream in = getClass().getResourceAsStream("/golden/gguf/kquant/synth-q4_k_m.gguf")) {
            Files.copy(in, golden);
        }
        Model f32 = KQuantGgufPerplexityTest.dequantised(GgufModelLoader.load(golden));
        Path source = dir.resolve("f32.gguf");
        GgufModelWriter.write(f32, source, DType.F32);
        Path theirs = dir.resolve("llama.gguf"), ours = dir.resolve("workbench.gguf");
        Process p = new ProcessBuilder(
                        Path.of(bin, "llama-quantize").toString(), source.toString(), theirs.toString(), type, "1")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("quantize.log").toFile())
                .start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue())
                .as(Files.readString(dir.resolve("quantize.log")))
                .isZero();
        GgufModelWriter.write(GgufModelLoader.load(source), ours, KQuantMix.parse(type));

        GgufFile a = GgufFile.open(theirs), b = GgufFile.open(ours);
        assertThat(b.tensorInfos().keySet())
                .containsExactlyInAnyOrderElementsOf(a.tensorInfos().keySet());
        int blockTypes = 0;
        for (GgufTensorInfo t : a.tensorInfos().values()) {
            GgufTensorInfo u = b.tensorInfos().get(t.name());
            assertThat(u.ggmlType()).as("%s type", t.name()).isEqualTo(t.ggmlType());
            assertThat(data(b, u)).as("%s bytes", t.name()).containsExactly(data(a, t));
            if (t.ggmlType() != 0 && t.ggmlType() != 1) blockTypes++;
        }
        assertThat(blockTypes).isGreaterThan(0);
    }

    private static byte[] data(GgufFile f, GgufTensorInfo t) {
        byte[] out = new byte[(int) t.byteSize()];
        MemorySegment.copy(f.segment(), ValueLayout.JAVA_BYTE, f.dataStart() + t.offset(), out, 0, out.length);
        return out;
    }
}
