package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.hf.HfFolderLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportHfCommandTest {
    @TempDir
    Path tmp;

    @Test
    void exportsLlama2cAsHfFolder() {
        Path out = tmp.resolve("stories-hf");
        assertThat(Cli.execute(
                        "export-hf", TestData.stories260K().toString(), "--out", out.toString(), "--dtype", "bf16"))
                .isZero();
        var m = HfFolderLoader.load(out);
        assertThat(m.config().ropeLayout()).isEqualTo(RopeLayout.ROTATE_HALF);
        assertThat(m.config().nLayers()).isEqualTo(5);
        assertThat(Cli.execute(
                        "export-hf", TestData.stories260K().toString(), "--out", out.toString(), "--dtype", "q4"))
                .isNotZero();
    }
}
