package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code suite --dry-run} with the real actions rejects what the real run would reject, before any work. */
class SuiteDryRunTest {
    @TempDir
    Path dir;

    @Test
    void dryRunReportsEveryProblemOfTheRealRun() throws Exception {
        Files.writeString(dir.resolve("calib.txt"), "Once upon a time.\n");
        Path suite = Files.writeString(dir.resolve("s.yaml"), """
                name: broken
                db: results.db
                workDir: work
                models: [{path: %s}, {path: gone.bin}]
                methods:
                  - method: none
                  - method: rtn
                    sweep: {bits: [4, 9]}
                  - method: rtn
                    params: {grp: 64}
                  - method: gptq
                    params: {calib: missing.txt}
                  - method: gptq
                    params: {calib: calib.txt}
                tasks: [piqa, no_such_task]
                """.formatted(TestData.stories260K()));
        var r = ResultsCommandsTest.run(
                "suite",
                suite.toString(),
                "--dry-run",
                "--data",
                TestData.require("datasets").toString());
        assertThat(r.rc()).isNotZero();
        assertThat(r.err())
                .contains("s.yaml")
                .contains("gone.bin")
                .contains("rtn: bits must be between 2 and 8")
                .contains("grp")
                .contains("missing.txt")
                .contains("no_such_task")
                .doesNotContain("calib.txt:")
                .doesNotContain("Exception");
        assertThat(dir.resolve("results.db")).doesNotExist();
        assertThat(dir.resolve("work")).doesNotExist();
    }

    @Test
    void aValidSuitePassesTheDryRun() throws Exception {
        Files.writeString(dir.resolve("calib.txt"), "Once upon a time.\n");
        Path suite = Files.writeString(dir.resolve("s.yaml"), """
                name: fine
                db: results.db
                models: [{path: %s}]
                methods: [{method: none}, {method: rtn, sweep: {bits: [4]}}, {method: gptq, params: {calib: calib.txt}}]
                tasks: [piqa]
                """.formatted(TestData.stories260K()));
        var r = ResultsCommandsTest.run(
                "suite",
                suite.toString(),
                "--dry-run",
                "--data",
                TestData.require("datasets").toString());
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(r.out()).contains("= 3 runs");
    }

    @Test
    void anEmptyCalibrationFileFailsTheDryRun() throws Exception {
        Files.writeString(dir.resolve("empty.txt"), "");
        Path suite = Files.writeString(dir.resolve("s.yaml"), """
                name: empty-calib
                db: results.db
                models: [{path: %s}]
                methods: [{method: gptq, params: {calib: empty.txt}}]
                tasks: [piqa]
                """.formatted(TestData.stories260K()));
        var r = ResultsCommandsTest.run(
                "suite",
                suite.toString(),
                "--dry-run",
                "--data",
                TestData.require("datasets").toString());
        assertThat(r.rc()).isNotZero();
        assertThat(r.err())
                .contains(dir.resolve("empty.txt") + ": calibration file is empty (no text to calibrate on)")
                .doesNotContain("Exception");
        assertThat(dir.resolve("results.db")).doesNotExist();
    }
}
