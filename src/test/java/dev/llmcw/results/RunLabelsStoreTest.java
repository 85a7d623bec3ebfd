package dev.llmcw.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names, tags, notes and the hidden flag of stored runs. */
class RunLabelsStoreTest {
    @TempDir
    Path dir;

    private static long run(ResultsStore store) {
        return store.saveRun(
                ResultsStoreTest.spec("stories", "abc123", "rtn", Map.of("bits", "4")), "piqa", "1", 4.0, 100L);
    }

    @Test
    void labelsSurviveReopenAndOtherRunsHaveNone() {
        Path db = dir.resolve("r.db");
        long named;
        long plain;
        try (var store = ResultsStore.open(db)) {
            named = run(store);
            plain = run(store);
            store.setLabels(
                    named, new RunLabels("rtn 4 bit, fixed", List.of("paper", "fig 3", "paper"), "re-run", true));
        }
        try (var store = ResultsStore.open(db)) {
            assertThat(store.labels(named))
                    .isEqualTo(new RunLabels("rtn 4 bit, fixed", List.of("paper", "fig 3"), "re-run", true));
            assertThat(store.labels(plain)).isEqualTo(RunLabels.NONE);
            assertThat(store.allLabels()).containsOnlyKeys(named);

            store.setLabels(named, RunLabels.NONE);
            assertThat(store.labels(named)).isEqualTo(RunLabels.NONE);
            assertThat(store.allLabels()).isEmpty();
        }
    }

    @Test
    void labellingAMissingRunNamesTheRunAndTheDatabase() {
        try (var store = ResultsStore.open(dir.resolve("r.db"))) {
            assertThatThrownBy(() -> store.setLabels(42, RunLabels.NONE.withName("x")))
                    .hasMessageContaining("no run 42")
                    .hasMessageContaining("r.db");
        }
    }

    @Test
    void runsOfTheVersionBeforeLabelsUpgradeWithoutLabels() {
        Path db = dir.resolve("v5.db");
        long id;
        try (var store = ResultsStore.open(db, 5)) {
            id = run(store);
        }
        try (var store = ResultsStore.open(db)) {
            assertThat(store.schemaVersion()).isEqualTo(SchemaMigrations.latest());
            assertThat(store.labels(id)).isEqualTo(RunLabels.NONE);
            store.setLabels(id, RunLabels.NONE.withHidden(true));
            assertThat(store.labels(id).hidden()).isTrue();
            assertThat(store.getRun(id)).isPresent();
        }
    }

    @Test
    void tagsAreDistinctStrippedAndParsedFromCommaText() {
        assertThat(RunLabels.parseTags(" a, b ,,a")).containsExactly(" a", " b ", "", "a");
        assertThat(RunLabels.NONE.withTags(RunLabels.parseTags(" a, b ,,a")).tags())
                .containsExactly("a", "b");
        assertThat(RunLabels.NONE.withTags(List.of("a", "b")).tagText()).isEqualTo("a, b");
    }
}
