package dev.llmcw.cli;

import static dev.llmcw.cli.ResultsCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunLabels;
import dev.llmcw.results.RunSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runs name|tag|note|hide|unhide} write the labels the Results view shows. */
class RunLabelCommandsTest {
    @TempDir
    Path dir;

    @Test
    void nameTagNoteHideAndUnhideAStoredRun() {
        Path db = dir.resolve("r.db");
        long id;
        try (var store = ResultsStore.open(db)) {
            id = store.saveRun(
                    new RunSpec("/m.bin", "m", "h", "none", Map.of(), List.of("piqa"), null), "piqa", "1", null, null);
        }
        String d = db.toString();
        String sid = Long.toString(id);
        assertThat(run("runs", "name", "--db", d, sid, "baseline").out()).contains("name \"baseline\"");
        assertThat(run("runs", "tag", "--db", d, sid, "paper", "fig3").out()).contains("tags [paper, fig3]");
        assertThat(run("runs", "tag", "--db", d, sid, "--remove", "paper").out())
                .contains("tags [fig3]");
        run("runs", "note", "--db", d, sid, "first try");
        assertThat(run("runs", "hide", "--db", d, sid).out()).contains(", hidden");
        try (var store = ResultsStore.open(db)) {
            assertThat(store.labels(id)).isEqualTo(new RunLabels("baseline", List.of("fig3"), "first try", true));
        }
        assertThat(run("runs", "unhide", "--db", d, sid).out()).doesNotContain("hidden");
        assertThat(run("runs", "show", "--db", d, sid).out())
                .contains("labels:")
                .contains("baseline");

        var missing = run("runs", "name", "--db", d, "99", "x");
        assertThat(missing.rc()).isNotZero();
        assertThat(missing.err()).contains("no run 99 in").contains("r.db");
    }
}
