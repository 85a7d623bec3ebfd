package dev.llmcw.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The suite file's {@code executor:} section: read, defaulted, checked, and overridden by the command line. */
class SuiteExecutorSpecTest {
    private static final String BODY = """
            name: s
            models: [{path: m.bin}]
            methods: [{method: none}]
            tasks: [piqa]
            """;

    @Test
    void withoutAnExecutorTheSuiteRunsLocally() {
        SuiteSpec s = SuiteSpec.parse(BODY, Path.of("s.yaml"));
        assertThat(s.executor()).isNull();
        assertThat(s.executorOrLocal().isSlurm()).isFalse();
        assertThat(s.executorOrLocal().type()).isEqualTo("local");
    }

    @Test
    void compressionShardsAndRequeueAreReadDefaultedAndChecked() {
        SuiteSpec.Executor defaults = SuiteSpec.parse(BODY + "executor: {type: slurm}\n", Path.of("s.yaml"))
                .executorOrLocal();
        assertThat(defaults.compressShardsOrDefault()).isEqualTo(1);
        assertThat(defaults.requeueOrDefault()).isTrue();
        SuiteSpec.Executor ex = SuiteSpec.parse(
                        BODY + "executor: {type: slurm, compressShards: 4, requeue: false}\n", Path.of("s.yaml"))
                .executorOrLocal();
        assertThat(ex.compressShardsOrDefault()).isEqualTo(4);
        assertThat(ex.requeueOrDefault()).isFalse();
        var cli = new SuiteSpec.Executor(
                "slurm", null, null, null, null, null, List.of(), null, null, null, null, 2, true);
        assertThat(ex.overriddenBy(cli).compressShardsOrDefault()).isEqualTo(2);
        assertThat(ex.overriddenBy(cli).requeueOrDefault()).isTrue();
        assertThatThrownBy(
                        () -> SuiteSpec.parse(BODY + "executor: {type: slurm, compressShards: 0}\n", Path.of("s.yaml")))
                .hasMessage("s.yaml: executor.compressShards must be a positive number of jobs, not 0");
    }

    @Test
    void readsTheSlurmSettings() {
        SuiteSpec s = SuiteSpec.parse(BODY + """
                executor:
                  type: Slurm
                  partition: cpu
                  time: "01:00:00"
                  cpusPerTask: 8
                  sbatch: ["--qos=low"]
                  preamble: module load java
                  shardItems: 100
                """, Path.of("s.yaml"));
        SuiteSpec.Executor ex = s.executorOrLocal();
        assertThat(ex.isSlurm()).isTrue();
        assertThat(ex.partition()).isEqualTo("cpu");
        assertThat(ex.time()).isEqualTo("01:00:00");
        assertThat(ex.cpusPerTask()).isEqualTo(8);
        assertThat(ex.sbatch()).containsExactly("--qos=low");
        assertThat(ex.shardItemsOrDefault()).isEqualTo(100);
        assertThat(ex.retriesOrDefault()).isEqualTo(SuiteSpec.Executor.DEFAULT_RETRIES);
        assertThat(s.withLimit(5).executor())
                .as("a quick run keeps the executor")
                .isEqualTo(ex);

        var cli = new SuiteSpec.Executor(
                "slurm", "gpu", null, null, "8G", null, List.of(), null, null, 0, null, null, null);
        SuiteSpec.Executor merged = ex.overriddenBy(cli);
        assertThat(merged.partition()).isEqualTo("gpu");
        assertThat(merged.mem()).isEqualTo("8G");
        assertThat(merged.time()).isEqualTo("01:00:00");
        assertThat(merged.sbatch()).containsExactly("--qos=low");
        assertThat(merged.retriesOrDefault()).isZero();
    }

    @Test
    void badSettingsAreOneSentenceNamingTheFile() {
        assertThatThrownBy(() -> SuiteSpec.parse(BODY + "executor: {type: pbs}\n", Path.of("s.yaml")))
                .hasMessage("s.yaml: executor.type must be \"local\" or \"slurm\", not \"pbs\"");
        assertThatThrownBy(() -> SuiteSpec.parse(BODY + "executor: {type: slurm, shardItems: 0}\n", Path.of("s.yaml")))
                .hasMessage("s.yaml: executor.shardItems must be a positive number of items, not 0");
        assertThatThrownBy(() -> SuiteSpec.parse(BODY + "executor: {type: slurm, partiton: x}\n", Path.of("s.yaml")))
                .hasMessageContaining("unknown field \"partiton\"");
    }
}
