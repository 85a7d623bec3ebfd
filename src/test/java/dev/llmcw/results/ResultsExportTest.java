package dev.llmcw.results;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.eval.TaskMetrics;
import dev.llmcw.util.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsExportTest {
    @TempDir
    Path dir;

    private List<RunRecord> runs(ResultsStore store) {
        RunSpec base = new RunSpec(
                "/m/s.bin",
                "stories",
                "h1",
                "none",
                Map.of(),
                List.of(),
                RunSpec.Options.defaults().withLimit(50));
        RunSpec rtn = new RunSpec(
                "/m/s-rtn.safetensors",
                "stories",
                "h2",
                "rtn",
                Map.of("bits", "4", "group", "64"),
                List.of(),
                RunSpec.Options.defaults().withLimit(50));
        long a = store.saveRun(base, "piqa", "1", 32.0, 1_000_000L);
        store.saveMetrics(
                a,
                new TaskMetrics(
                        "piqa",
                        "1",
                        50,
                        Map.of("acc", 0.52, "acc_stderr", 0.07, "acc_norm", 0.5, "acc_norm_stderr", 0.071),
                        Map.of()));
        long b = store.saveRun(base, "wikitext2", "1", 32.0, 1_000_000L);
        store.saveMetrics(
                b,
                new TaskMetrics(
                        "wikitext2", "1", 50, Map.of("word_perplexity", 123.5, "bits_per_byte", 1.1), Map.of()));
        long c = store.saveRun(rtn, "piqa", "1", 4.5, 140_000L);
        store.saveMetrics(c, new TaskMetrics("piqa", "1", 50, Map.of("acc", 0.5, "acc_stderr", 0.0714), Map.of()));
        return store.listRuns(RunFilter.all());
    }

    @Test
    void lmEvalJsonUsesHarnessKeys() throws Exception {
        try (var store = ResultsStore.open(dir.resolve("r.db"))) {
            List<RunRecord> all = runs(store);
            JsonNode single = Json.MAPPER.readTree(ResultsExport.lmEvalJson(
                    all.stream().filter(r -> r.method().equals("none")).toList()));
            assertThat(single.at("/results/piqa/acc,none").asDouble()).isEqualTo(0.52);
            assertThat(single.at("/results/piqa/acc_stderr,none").asDouble()).isEqualTo(0.07);
            assertThat(single.at("/results/piqa/acc_norm_stderr,none").asDouble())
                    .isEqualTo(0.071);
            assertThat(single.at("/results/wikitext2/word_perplexity,none").asDouble())
                    .isEqualTo(123.5);
            assertThat(single.at("/versions/piqa").asDouble()).isEqualTo(1.0);
            assertThat(single.at("/results/wikitext2/word_perplexity_stderr,none")
                            .asText())
                    .as("lm-eval writes N/A")
                    .isEqualTo("N/A");
            assertThat(single.at("/n-samples/piqa/effective").asInt()).isEqualTo(50);
            assertThat(single.at("/config/limit").asInt()).isEqualTo(50);
            assertThat(single.at("/workbench/method").asText()).isEqualTo("none");

            JsonNode both = Json.MAPPER.readTree(ResultsExport.lmEvalJson(all));
            assertThat(both.get("configurations")).hasSize(2);
            assertThat(both.at("/configurations/1/workbench/method_params/bits").asText())
                    .isEqualTo("4");
            assertThat(both.at("/configurations/1/workbench/bits_per_weight").asDouble())
                    .isEqualTo(4.5);
        }
    }

    @Test
    void csvAndMarkdown() {
        try (var store = ResultsStore.open(dir.resolve("r.db"))) {
            List<RunRecord> all = runs(store);
            String csv = ResultsExport.csv(all);
            List<String> lines = csv.lines().toList();
            assertThat(lines.getFirst()).startsWith("run_id,created,model");
            assertThat(lines).hasSize(1 + 2 + 2 + 1);
            assertThat(lines)
                    .anyMatch(l -> l.contains(",rtn,bits=4 group=64,4.5,140000,piqa,1,50,50,,running,acc,0.5,0.0714"));

            String md = ResultsExport.markdown(all);
            assertThat(md.lines().toList()).hasSize(2 + 3);
            assertThat(md.lines().findFirst().orElseThrow())
                    .isEqualTo(
                            "| run | model | method | params | bits/weight | size (MB) | task | items | acc | acc_norm | bits_per_byte | word_perplexity |");
            assertThat(md).contains("| 0.5200 ± 0.0700 | 0.5000 ± 0.0710 |  |  |");
            assertThat(md).contains("| rtn | bits=4 group=64 | 4.500 | 0.14 | piqa | 50 |");
        }
    }
}
