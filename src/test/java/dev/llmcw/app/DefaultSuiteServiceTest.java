package dev.llmcw.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.cluster.Slurm;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GUI's suites check the suite like the CLI before any work. */
class DefaultSuiteServiceTest {
    @TempDir
    Path dir;

    @Test
    void aSuiteWithMistakesRunsNothing() throws Exception {
        Path file = Files.writeString(dir.resolve("s.yaml"), """
                name: broken
                db: results.db
                workDir: work
                models: [{path: gone.bin}]
                methods: [{method: rtn, params: {bits: 0}}]
                tasks: [no_such_task]
                """);
        var service = new DefaultSuiteService(null, TestData.require("datasets"));
        assertThatThrownBy(
                        () -> service.run(SuiteSpec.read(file), file, ProgressListener.NONE, CancellationToken.none()))
                .hasMessageContaining("s.yaml")
                .hasMessageContaining("gone.bin")
                .hasMessageContaining("rtn: bits must be between 2 and 8")
                .hasMessageContaining("no_such_task");
        assertThat(dir.resolve("results.db")).doesNotExist();
        assertThat(dir.resolve("work")).doesNotExist();
    }

    @Test
    void aSlurmSuiteWithoutSlurmsCommandsRunsNothing() throws Exception {
        Path file = Files.writeString(
                dir.resolve("s.yaml"), """
                name: cluster
                db: results.db
                workDir: work
                models: [{path: %s}]
                methods: [{method: none}]
                tasks: [piqa]
                executor: {type: slurm}
                """.formatted(TestData.stories260K().toAbsolutePath()));
        var service = new DefaultSuiteService(
                null,
                TestData.require("datasets"),
                new Slurm(cmd -> {
                    throw new AssertionError("no Slurm command may run: " + cmd);
                }),
                () -> false,
                1);
        assertThatThrownBy(
                        () -> service.run(SuiteSpec.read(file), file, ProgressListener.NONE, CancellationToken.none()))
                .hasMessage("s.yaml: nothing was run: The Slurm executor needs sbatch and squeue on PATH (a Slurm login"
                        + " node, or tools/slurm-local start); choose Local to run here.");
        assertThat(dir.resolve("results.db")).doesNotExist();
        assertThat(dir.resolve("work")).doesNotExist();
    }
}
