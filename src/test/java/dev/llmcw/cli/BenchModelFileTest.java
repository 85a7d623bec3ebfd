package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.compress.rtn.RtnMethod;
import dev.llmcw.model.load.ModelLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench --model-file runs a compressed file on the fly (packed) next to its source, in one table. */
class BenchModelFileTest {
    @Test
    void benchRunsACompressedFileOnTheFlyBesideItsSource(@TempDir Path dir) throws Exception {
        Path rtn = dir.resolve("r4.safetensors");
        new RtnMethod(4, 32, false)
                .compress(ModelLoader.load(TestData.stories260K()), rtn, dir.resolve("w"), null, null);
        PrintStream old = System.out;
        var buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            int rc = Cli.execute(
                    "bench",
                    "--models",
                    "none",
                    "--model-file",
                    TestData.stories260K() + "," + rtn,
                    "--prefill",
                    "8",
                    "--decode",
                    "2",
                    "--bandwidth-mb",
                    "8");
            assertThat(rc).isEqualTo(0);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString();
        assertThat(out).contains("| stories260K.bin | F32").contains("| r4.safetensors | rtn 4-bit on-the-fly");
        assertThat(out).doesNotContain("building SYNTHETIC");
    }
}
