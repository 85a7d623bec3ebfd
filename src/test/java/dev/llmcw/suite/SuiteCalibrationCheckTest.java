package dev.llmcw.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A suite's calibration file with too few tokens is refused when its compression starts, before calibrating. */
class SuiteCalibrationCheckTest {
    @Test
    void tooFewCalibrationTokensAreRefusedBeforeCalibration(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("calib.txt"), "Once upon a time there was a cat. ".repeat(10));
        var actions = WorkbenchSuiteActions.standard(TestData.require("datasets"), dir);
        Path out = dir.resolve("out.safetensors");
        assertThatThrownBy(() -> actions.compress(
                        TestData.stories260K(),
                        "gptq",
                        Map.of("bits", "4", "calib", "calib.txt", "calib_seqs", "8", "calib_len", "64"),
                        out,
                        dir.resolve("work"),
                        ProgressListener.NONE,
                        CancellationToken.none()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(dir.resolve("calib.txt") + ": tokenises to ")
                .hasMessageContaining("lower calib_seqs to");
        assertThat(out).doesNotExist();
        assertThat(dir.resolve("work")).doesNotExist();
    }
}
