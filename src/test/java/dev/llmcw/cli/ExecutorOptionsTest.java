package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.suite.SuiteSpec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --slurm-compress-shards} and {@code --[no-]slurm-requeue} over a suite file's executor settings. */
class ExecutorOptionsTest {
    private static SuiteSpec.Executor over(SuiteSpec.Executor file, String... args) {
        var options = new ExecutorOptions();
        new CommandLine(options).parseArgs(args);
        return options.over(file);
    }

    @Test
    void compressionShardsAndRequeueOverrideTheFileOnlyWhenGiven() {
        var file =
                new SuiteSpec.Executor("slurm", null, null, null, null, null, null, null, null, null, null, 3, false);
        assertThat(over(file).compressShardsOrDefault()).isEqualTo(3);
        assertThat(over(file).requeueOrDefault()).isFalse();
        var cli = over(file, "--slurm-compress-shards", "8", "--slurm-requeue");
        assertThat(cli.compressShardsOrDefault()).isEqualTo(8);
        assertThat(cli.requeueOrDefault()).isTrue();
        assertThat(over(SuiteSpec.Executor.local(), "--executor", "slurm", "--no-slurm-requeue")
                        .requeueOrDefault())
                .isFalse();
        assertThatThrownBy(() -> over(file, "--slurm-compress-shards", "0"))
                .hasMessage("executor.compressShards must be a positive number of jobs, not 0");
    }
}
