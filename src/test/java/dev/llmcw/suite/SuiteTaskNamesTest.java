package dev.llmcw.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Suites check their task names against the task registry before compressing or evaluating anything. */
class SuiteTaskNamesTest {
    @Test
    void anUnknownTaskFailsTheSuiteBeforeAnyRun(@TempDir Path dir) {
        SuiteSpec spec = SuiteSpec.parse("""
                name: typo
                models:
                  - path: missing.bin
                methods:
                  - method: none
                tasks: [piqa, piqa2]
                """, dir.resolve("typo.yaml"));
        try (ResultsStore store = ResultsStore.open(dir.resolve("results.db"))) {
            var runner = new SuiteRunner(
                    store,
                    WorkbenchSuiteActions.standard(dir, dir),
                    new ModelHashes(null),
                    ProgressListener.NONE,
                    CancellationToken.none());
            assertThatThrownBy(() -> runner.run(spec, dir, dir.resolve("work")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("unknown task \"piqa2\"; known: piqa, hellaswag");
            assertThat(store.listRuns(RunFilter.all())).isEmpty();
        }
    }
}
