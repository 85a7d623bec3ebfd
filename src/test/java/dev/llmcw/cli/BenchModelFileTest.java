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

/**
 * bench --model-file runs a compressed file on the fly (packed) next to its source, in one table; bench --packed
 * times a synthetic shape's RTN files packed against its BF16 decode.
 */
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

    @Test
    void benchPackedListsDecodeAgainstBf16(@TempDir Path dir) throws Exception {
        PrintStream old = System.out;
        var buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            int rc = Cli.execute(
                    "bench",
                    "--models",
                    "stories260K",
                    "--dtypes",
                    "bf16",
                    "--packed",
                    "4,2",
                    "--packed-group",
                    "32",
                    "--rounds",
                    "2",
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
        assertThat(out)
                .contains("decode tok/s vs BF16")
                .contains("| BF16 dense ")
                .contains("| rtn 4-bit g32 packed ")
                .contains("| rtn 2-bit g32 packed ")
                .containsPattern("\\| BF16 dense +\\| +[0-9.]+ \\|.*\\| +1\\.00x \\|");
    }
}
