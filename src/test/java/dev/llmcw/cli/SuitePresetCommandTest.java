package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `suite --preset NAME --model M --limit N`: the preset is written as a suite file in the workbench home and planned. */
class SuitePresetCommandTest {
    @AfterEach
    void clearHome() {
        System.clearProperty("workbench.home");
    }

    private static String[] run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int rc = Cli.execute(args);
            return new String[] {Integer.toString(rc), out.toString(), err.toString()};
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void aPresetIsOneCommandWithAnOverridableLimit(@TempDir Path home) throws Exception {
        System.setProperty("workbench.home", home.toString());
        // the shared data holds neither C4 nor RTE: the repository's sample splits stand in for them, so the
        // dry run (which checks every task's data, as a real run would) has a complete data folder
        Path data = Files.createDirectories(home.resolve("data"));
        try (var dirs = Files.list(TestData.require("datasets"))) {
            for (Path d : dirs.toList())
                Files.createSymbolicLink(data.resolve(d.getFileName().toString()), d.toAbsolutePath());
        }
        for (String task : new String[] {"c4", "rte"})
            if (!Files.exists(data.resolve(task)))
                Files.createSymbolicLink(
                        data.resolve(task), Path.of("datasets", task, "sample").toAbsolutePath());
        String[] r = run(
                "suite",
                "--preset",
                "caldera-paper",
                "--model",
                TestData.stories260K().toString(),
                "--limit",
                "3",
                "--data",
                data.toString(),
                "--dry-run");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        Path written = home.resolve("suites/presets/caldera-paper.yaml");
        assertThat(r[1])
                .contains("preset caldera-paper written to " + written)
                .contains("suite caldera-paper: 1 model(s) x 4 setting(s) x 7 task(s) = 28 runs")
                .contains("caldera calib=");
        assertThat(Files.readString(written))
                .contains(TestData.stories260K().toAbsolutePath().normalize().toString());

        String[] both = run("suite", written.toString(), "--preset", "seedlm-paper", "--dry-run");
        assertThat(both[0]).isNotEqualTo("0");
        assertThat(both[2])
                .contains("give either a suite file or --preset NAME (seedlm-paper, caldera-paper, caldera-official)");
        String[] unknown = run(
                "suite",
                "--preset",
                "gptq-paper",
                "--model",
                TestData.stories260K().toString(),
                "--dry-run");
        assertThat(unknown[2]).contains("unknown suite preset \"gptq-paper\"; known: seedlm-paper, caldera-paper");
    }
}
