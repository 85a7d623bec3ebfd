package dev.llmcw.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.tensor.DType;
import dev.llmcw.tensor.Tensors;
import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.FailingOutputStream;
import dev.llmcw.util.ModelLoadException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export-gguf writes through a temporary sibling: a failure at any byte leaves the old file whole and no partial one. */
class GgufWriterAtomicTest {
    @TempDir
    Path dir;

    private static GgufWriter model() {
        float[] w = new float[64 * 64];
        Random rnd = new Random(3);
        for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian();
        return new GgufWriter()
                .put("general.architecture", "llama")
                .addTensor("a", new long[] {64, 64}, DType.Q8_0, w)
                .addTensor("b", new long[] {64, 64}, DType.F16, w);
    }

    private void assertOnly(Path file, byte[] content) throws IOException {
        assertThat(file).hasBinaryContent(content);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aTensorThatFailsMidExportLeavesTheOldFile() throws Exception {
        Path file = dir.resolve("model.gguf");
        byte[] old = "old model".getBytes();
        Files.write(file, old);
        var arena = Arena.ofConfined();
        var seg = arena.allocate(64 * 64 * 4L);
        arena.close(); // reading it fails once the writer reaches this tensor's data
        var w = model().addTensor("closed", Tensors.wrap(DType.F32, new long[] {64, 64}, seg));
        assertThatThrownBy(() -> w.write(file)).isInstanceOf(RuntimeException.class);
        assertOnly(file, old);
    }

    @Test
    void anIOExceptionAtRandomByteOffsetsLeavesTheOldFileOrTheNewOne() throws Exception {
        Path file = dir.resolve("model.gguf");
        model().write(file);
        byte[] full = Files.readAllBytes(file);
        byte[] old = "old model".getBytes();
        Random rnd = new Random(11);
        for (int i = 0; i < 25; i++) {
            Files.write(file, old);
            long failAt = rnd.nextLong(full.length);
            assertThatThrownBy(
                            () -> AtomicFiles.write(file, out -> model().writeTo(new FailingOutputStream(out, failAt))))
                    .as("failure at byte " + failAt)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("disk full");
            assertOnly(file, old);
        }
        AtomicFiles.write(file, out -> model().writeTo(out));
        assertOnly(file, full);
    }

    @Test
    void writeErrorsNameTheFile() {
        Path file = dir.resolve("no-such-dir-is-a-file");
        assertThatThrownBy(() -> {
                    Files.writeString(file, "x");
                    model().write(file.resolve("model.gguf"));
                })
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.gguf");
    }
}
