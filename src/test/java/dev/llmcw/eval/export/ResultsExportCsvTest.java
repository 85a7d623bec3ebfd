package dev.llmcw.eval.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.eval.TaskMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsExportCsvTest {
    @TempDir
    Path dir;

    @Test
    void formulaLikeCellsAreEscapedAndNumbersKept() {
        var t = new TaskMetrics("+piqa", "1", 50, Map.of("acc", -0.25), Map.of());
        String csv = ResultsExport.csv("=cmd|' /C calc'!A0", List.of(t));
        assertThat(csv.lines().toList().get(1)).isEqualTo("'=cmd|' /C calc'!A0,'+piqa,1,50,acc,-0.25,");
    }

    @Test
    void writeAllLeavesNoTemporaryFiles() throws Exception {
        ResultsExport.writeAll(
                dir, "m", List.of(new TaskMetrics("piqa", "1", 5, Map.of("acc", 0.5), Map.of())), null, Map.of());
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("results.json", "results.csv", "results.md");
        }
    }
}
