package dev.llmcw.results;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.eval.TaskMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsExportSafetyTest {
    @TempDir
    Path dir;

    @Test
    void csvEscapesFormulaCellsAndMarkdownEscapesMarkup() {
        try (var store = ResultsStore.open(dir.resolve("r.db"))) {
            RunSpec spec = new RunSpec(
                    "/m/s.bin", "@SUM(A1)<script>", "h1", "none", Map.of(), List.of(), RunSpec.Options.defaults());
            long a = store.saveRun(spec, "piqa", "1", 32.0, 1_000L);
            store.saveMetrics(a, new TaskMetrics("piqa", "1", 5, Map.of("acc", -0.5), Map.of()));
            var runs = store.listRuns(RunFilter.all());
            String row = ResultsExport.csv(runs).lines().toList().get(1);
            assertThat(row).contains(",'@SUM(A1)<script>,").contains(",acc,-0.5,");
            assertThat(ResultsExport.markdown(runs)).doesNotContain("<script>").contains("&lt;script&gt;");
        }
    }
}
