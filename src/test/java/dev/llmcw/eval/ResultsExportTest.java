package dev.llmcw.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.eval.export.ResultsExport;
import dev.llmcw.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsExportTest {
    private static TaskMetrics piqa() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("acc", 0.5);
        m.put("acc_stderr", 0.0117);
        m.put("acc_norm", 0.48);
        m.put("acc_norm_stderr", 0.0116);
        return new TaskMetrics("piqa", "1.0", 1838, m, Map.of("bos", "auto (no BOS)"));
    }

    private static TaskMetrics wikitext() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("word_perplexity", 123.4);
        m.put("byte_perplexity", 2.1);
        m.put("bits_per_byte", 1.07);
        m.put("perplexity", 40.0);
        return new TaskMetrics("wikitext", "2.0", 62, m, Map.of());
    }

    @Test
    void jsonHasLmEvalKeys(@TempDir Path dir) throws Exception {
        ResultsExport.writeAll(
                dir,
                "m",
                List.of(piqa(), wikitext()),
                List.of(),
                ResultsExport.config("model", "workbench", "limit", null));
        JsonNode root = Json.MAPPER.readTree(Files.readString(dir.resolve("results.json")));
        JsonNode p = root.get("results").get("piqa");
        assertThat(p.get("acc,none").asDouble()).isEqualTo(0.5);
        assertThat(p.get("acc_stderr,none").asDouble()).isEqualTo(0.0117);
        assertThat(p.get("acc_norm,none").asDouble()).isEqualTo(0.48);
        assertThat(p.get("acc_norm_stderr,none").asDouble()).isEqualTo(0.0116);
        assertThat(p.get("alias").asText()).isEqualTo("piqa");
        assertThat(p.get("samples").asInt()).isEqualTo(1838);
        JsonNode w = root.get("results").get("wikitext");
        assertThat(w.get("word_perplexity,none").asDouble()).isEqualTo(123.4);
        assertThat(w.get("word_perplexity_stderr,none").asText()).isEqualTo("N/A");
        assertThat(root.get("versions").get("piqa").asDouble()).isEqualTo(1.0);
        assertThat(root.get("n-samples").get("piqa").get("effective").asInt()).isEqualTo(1838);
        assertThat(root.get("higher_is_better")
                        .get("wikitext")
                        .get("word_perplexity")
                        .asBoolean())
                .isFalse();
        assertThat(root.get("config").get("model").asText()).isEqualTo("workbench");
        assertThat(root.get("details").get("piqa").get("bos").asText()).isEqualTo("auto (no BOS)");
        String csv = Files.readString(dir.resolve("results.csv"));
        assertThat(csv)
                .startsWith("model,task,version,items,metric,value,stderr\n")
                .contains("m,piqa,1.0,1838,acc,0.5,0.0117\n")
                .contains("m,wikitext,2.0,62,word_perplexity,123.4,\n");
        String md = Files.readString(dir.resolve("results.md"));
        assertThat(md)
                .contains("|piqa    |    1.0|none  |     0|acc            |↑  |  0.5000|±  |0.0117|")
                .contains("|word_perplexity|↓  |123.4000|   |   N/A|");
    }
}
