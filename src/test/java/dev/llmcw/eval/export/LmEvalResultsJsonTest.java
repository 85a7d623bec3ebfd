package dev.llmcw.eval.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.eval.TaskMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Standard errors as lm-eval's stderr_for_metric gives them, and the per-task config blocks. */
class LmEvalResultsJsonTest {
    private static TaskMetrics piqa() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("acc", 0.5);
        m.put("acc_stderr", 0.0117);
        m.put("acc_norm", 0.52);
        m.put("acc_norm_stderr", 0.0116);
        m.put("kl_mean", 0.01);
        return new TaskMetrics("piqa", "1.0", 100, m, Map.of("items_in_split", "1838", "data_sha256", "ab".repeat(32)));
    }

    private static TaskMetrics wikitext() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("word_perplexity", 123.4);
        m.put("byte_perplexity", 2.1);
        m.put("bits_per_byte", 1.07);
        m.put("perplexity", 50.0);
        return new TaskMetrics("wikitext", "2.0", 62, m, Map.of());
    }

    @Test
    void meansGetTheClosedFormStderrAndPerplexitiesNone() {
        JsonNode root = LmEvalResultsJson.build(
                List.of(piqa(), wikitext()), null, Map.of("model", "workbench", "model_args", "path=/m/a b.bin"));
        assertThat(root.at("/config/bootstrap_iters").asInt()).isEqualTo(100_000);
        assertThat(root.at("/results/piqa/acc_stderr,none").asDouble()).isEqualTo(0.0117);
        assertThat(root.at("/results/piqa/kl_mean_stderr,none").asText()).isEqualTo("N/A");
        for (String m : List.of("word_perplexity", "byte_perplexity", "bits_per_byte", "perplexity")) {
            assertThat(root.at("/results/wikitext/" + m + "_stderr,none").asText())
                    .as(m)
                    .isEqualTo("N/A");
        }
        assertThat(root.at("/n-samples/piqa/original").asInt()).isEqualTo(1838);
        assertThat(root.at("/n-samples/piqa/effective").asInt()).isEqualTo(100);
        assertThat(root.at("/n-samples/wikitext/original").asInt())
                .as("no split size recorded: the evaluated count")
                .isEqualTo(62);
        assertThat(root.at("/configs/wikitext/output_type").asText()).isEqualTo("loglikelihood_rolling");
        assertThat(root.at("/configs/wikitext/metric_list/0/aggregation").asText())
                .isEqualTo("weighted_perplexity");
        assertThat(root.at("/configs/wikitext/metric_list/0/higher_is_better").asBoolean())
                .isFalse();
        assertThat(root.at("/configs/piqa/dataset_path").asText()).isEqualTo("baber/piqa");
        assertThat(root.at("/task_hashes/piqa").asText()).isEqualTo("ab".repeat(32));
        assertThat(root.at("/model_name").asText()).isEqualTo("/m/a b.bin");
        assertThat(root.at("/model_name_sanitized").asText()).isEqualTo("__m__a b.bin");
    }

    @Test
    void bootstrapItersZeroWritesNoStderr() {
        JsonNode root = LmEvalResultsJson.build(List.of(piqa()), null, Map.of("bootstrap_iters", 0));
        assertThat(root.at("/config/bootstrap_iters").asInt()).isZero();
        assertThat(root.at("/results/piqa/acc_stderr,none").asText()).isEqualTo("N/A");
        assertThat(root.at("/results/piqa/acc_norm_stderr,none").asText()).isEqualTo("N/A");
        assertThat(root.at("/results/piqa/acc,none").asDouble()).isEqualTo(0.5);
    }
}
