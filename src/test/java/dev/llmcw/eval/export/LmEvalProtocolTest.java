package dev.llmcw.eval.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.TestData;
import dev.llmcw.cli.Cli;
import dev.llmcw.eval.ItemSubset;
import dev.llmcw.eval.tasks.McItem;
import dev.llmcw.eval.tasks.PiqaTask;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `eval` writes what lm-evaluation-harness v0.4.x writes: the results JSON read with lm-eval's key
 * conventions (schema), and samples_&lt;task&gt;_&lt;date&gt;.jsonl whose resps equal the per-item
 * log-likelihoods of the independent reference (tools/reference/lmeval_ref.py, golden/eval). Also
 * --limit as the first N items and --sample as a seeded random N, through the CLI.
 */
class LmEvalProtocolTest {
    private static final Map<String, double[]> GOLDEN = new HashMap<>();
    private static Path model, datasets;

    @TempDir
    static Path dir;

    private static JsonNode results;
    private static Path out;

    @BeforeAll
    static void evaluateFirst20() throws IOException {
        try (InputStream in = LmEvalProtocolTest.class.getResourceAsStream("/golden/eval/stories260K_lmeval.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split("\t");
                GOLDEN.put(
                        f[0] + "/" + f[1],
                        Arrays.stream(f, 2, f.length)
                                .mapToDouble(Double::parseDouble)
                                .toArray());
            }
        }
        model = TestData.stories260K();
        TestData.tok512();
        datasets = TestData.require("datasets");
        out = dir.resolve("out");
        assertThat(Cli.execute(
                        "eval",
                        "--model",
                        model.toString(),
                        "--tasks",
                        "piqa,hellaswag",
                        "--data",
                        datasets.toString(),
                        "--limit",
                        "20",
                        "--out",
                        out.toString(),
                        "--no-store"))
                .isZero();
        results = Json.MAPPER.readTree(Files.readString(out.resolve("results.json")));
    }

    @Test
    void resultsJsonHasLmEvalsKeysTypesAndMetricNames() {
        for (String key : List.of(
                "results",
                "group_subtasks",
                "configs",
                "versions",
                "n-shot",
                "higher_is_better",
                "n-samples",
                "config",
                "git_hash",
                "date",
                "task_hashes",
                "model_source",
                "model_name",
                "model_name_sanitized")) {
            assertThat(results.has(key)).as("top-level key %s", key).isTrue();
        }
        assertThat(results.get("date").isNumber()).as("date is Unix seconds").isTrue();
        assertThat(results.get("model_name_sanitized").asText()).doesNotContain("/");
        for (String task : List.of("piqa", "hellaswag")) {
            JsonNode r = results.get("results").get(task);
            assertThat(r.get("alias").asText()).isEqualTo(task);
            for (String metric : List.of("acc", "acc_norm")) {
                assertThat(r.get(metric + ",none").isDouble())
                        .as("%s %s,none", task, metric)
                        .isTrue();
                assertThat(r.get(metric + "_stderr,none").isDouble())
                        .as("%s %s_stderr,none (mean_stderr)", task, metric)
                        .isTrue();
            }
            r.fieldNames().forEachRemaining(k -> assertThat(k).matches("alias|samples|[a-z0-9_]+,none"));
            assertThat(results.get("group_subtasks").get(task).isArray()).isTrue();
            JsonNode c = results.get("configs").get(task);
            assertThat(c.get("task").asText()).isEqualTo(task);
            for (String k : List.of(
                    "dataset_path",
                    "doc_to_text",
                    "doc_to_target",
                    "doc_to_choice",
                    "output_type",
                    "num_fewshot",
                    "metadata")) {
                assertThat(c.has(k)).as("%s configs.%s", task, k).isTrue();
            }
            assertThat(c.has("test_split") || c.has("validation_split")).isTrue();
            assertThat(c.get("output_type").asText()).isEqualTo("multiple_choice");
            assertThat(c.get("metadata").get("version").asDouble()).isEqualTo(1.0);
            assertThat(c.get("metric_list"))
                    .extracting(m -> m.get("metric").asText())
                    .containsExactly("acc", "acc_norm");
            assertThat(c.get("metric_list")).allSatisfy(m -> {
                assertThat(m.get("aggregation").asText()).isEqualTo("mean");
                assertThat(m.get("higher_is_better").asBoolean()).isTrue();
            });
            assertThat(results.get("versions").get(task).isNumber()).isTrue();
            assertThat(results.get("n-shot").get(task).asInt()).isZero();
            assertThat(results.get("higher_is_better").get(task).get("acc").asBoolean())
                    .isTrue();
            assertThat(results.get("n-samples").get(task).get("effective").asInt())
                    .isEqualTo(20);
            assertThat(results.get("n-samples").get(task).get("original").asInt())
                    .isGreaterThan(20);
            assertThat(results.get("task_hashes").get(task).asText()).matches("[0-9a-f]{64}");
        }
        assertThat(results.get("n-samples").get("piqa").get("original").asInt()).isEqualTo(1838);
        JsonNode config = results.get("config");
        assertThat(config.get("model").asText()).isNotBlank();
        assertThat(config.get("model_args").asText()).contains("path=");
        assertThat(config.get("limit").asInt()).isEqualTo(20);
        assertThat(config.get("bootstrap_iters").asInt()).isEqualTo(LmEvalResultsJson.DEFAULT_BOOTSTRAP_ITERS);
        assertThat(config.has("batch_size") && config.has("device") && config.has("random_seed"))
                .isTrue();
    }

    @Test
    void samplesLogMatchesTheReferenceLogLikelihoods() throws IOException {
        for (String task : List.of("piqa", "hellaswag")) {
            List<JsonNode> lines = samples(out, task);
            assertThat(lines).hasSize(20);
            for (int i = 0; i < 20; i++) {
                JsonNode s = lines.get(i);
                assertThat(s.get("doc_id").asInt()).as("--limit is the first N").isEqualTo(i);
                double[] want = GOLDEN.get(task + "/" + s.get("doc").get("id").asText());
                assertThat(want)
                        .as("golden %s/%s", task, s.get("doc").get("id"))
                        .isNotNull();
                assertThat(s.get("target").asInt()).isEqualTo((int) want[0]);
                JsonNode resps = s.get("resps");
                assertThat(resps.size()).isEqualTo(want.length - 1);
                for (int c = 0; c < resps.size(); c++) {
                    // lm-eval writes each response as strings: [[ll, is_greedy]] per request
                    assertThat(Double.parseDouble(resps.get(c).get(0).get(0).asText()))
                            .as("%s doc %d choice %d", task, i, c)
                            .isCloseTo(want[c + 1], within(1e-4));
                    assertThat(resps.get(c).get(0).get(1).asText()).isIn("True", "False");
                    assertThat(s.get("filtered_resps").get(c).get(0).asText())
                            .isEqualTo(resps.get(c).get(0).get(0).asText());
                    assertThat(s.get("arguments")
                                    .get("gen_args_" + c)
                                    .get("arg_1")
                                    .asText())
                            .startsWith(" ");
                }
                for (String k : List.of("doc_hash", "prompt_hash", "target_hash"))
                    assertThat(s.get(k).asText()).matches("[0-9a-f]{64}");
                assertThat(s.get("acc").asDouble()).isIn(0.0, 1.0);
                assertThat(s.get("acc_norm").asDouble()).isIn(0.0, 1.0);
                assertThat(s.get("filter").asText()).isEqualTo("none");
            }
        }
        assertThat(Files.readString(out.resolve("results.json")))
                .as("samples are not inside the results file")
                .doesNotContain("\"resps\"");
    }

    @Test
    void sampleIsASeededRandomSubsetThroughTheCli() throws IOException {
        Path sampled = dir.resolve("sampled");
        assertThat(Cli.execute(
                        "eval",
                        "--model",
                        model.toString(),
                        "--tasks",
                        "piqa",
                        "--data",
                        datasets.toString(),
                        "--sample",
                        "50",
                        "--seed",
                        "1",
                        "--out",
                        sampled.toString(),
                        "--no-store"))
                .isZero();
        List<String> ids =
                new PiqaTask().load(datasets).stream().map(McItem::id).toList();
        List<Integer> want =
                Arrays.stream(ItemSubset.sample(ids, 50, 1)).boxed().toList();
        assertThat(samples(sampled, "piqa"))
                .extracting(s -> s.get("doc_id").asInt())
                .containsExactlyElementsOf(want);
        assertThat(want.getLast()).isGreaterThan(49);
        JsonNode config = Json.MAPPER
                .readTree(Files.readString(sampled.resolve("results.json")))
                .get("config");
        assertThat(config.get("limit").isNull()).isTrue();
        assertThat(config.get("sample").asInt()).isEqualTo(50);
        assertThat(config.get("random_seed").asInt()).isEqualTo(1);

        Path first = dir.resolve("first");
        assertThat(Cli.execute(
                        "eval",
                        "--model",
                        model.toString(),
                        "--tasks",
                        "piqa",
                        "--data",
                        datasets.toString(),
                        "--limit",
                        "50",
                        "--out",
                        first.toString(),
                        "--no-store"))
                .isZero();
        assertThat(samples(first, "piqa"))
                .extracting(s -> s.get("doc_id").asInt())
                .containsExactlyElementsOf(IntStream.range(0, 50).boxed().toList());
    }

    @Test
    void bootstrapItersZeroWritesNoStandardErrors() throws IOException {
        Path noStderr = dir.resolve("no-stderr");
        assertThat(Cli.execute(
                        "eval",
                        "--model",
                        model.toString(),
                        "--tasks",
                        "piqa",
                        "--data",
                        datasets.toString(),
                        "--limit",
                        "3",
                        "--bootstrap-iters",
                        "0",
                        "--out",
                        noStderr.toString(),
                        "--no-store"))
                .isZero();
        JsonNode root = Json.MAPPER.readTree(Files.readString(noStderr.resolve("results.json")));
        assertThat(root.at("/config/bootstrap_iters").asInt()).isZero();
        assertThat(root.at("/results/piqa/acc_stderr,none").asText()).isEqualTo("N/A");
        assertThat(Files.readString(noStderr.resolve("results.md"))).doesNotContain("±");
    }

    @Test
    void badCountsAreRefused() {
        for (String[] bad : List.of(new String[] {"--limit", "-1"}, new String[] {"--sample", "ten"}, new String[] {
            "--bootstrap-iters", "-1"
        })) {
            assertThat(Cli.execute(
                            "eval",
                            "--model",
                            model.toString(),
                            "--tasks",
                            "piqa",
                            "--data",
                            datasets.toString(),
                            bad[0],
                            bad[1],
                            "--out",
                            dir.resolve("bad").toString(),
                            "--no-store"))
                    .as(String.join(" ", bad))
                    .isNotZero();
        }
        assertThat(Cli.execute(
                        "eval",
                        "--model",
                        model.toString(),
                        "--tasks",
                        "piqa",
                        "--data",
                        datasets.toString(),
                        "--limit",
                        "5",
                        "--sample",
                        "5",
                        "--out",
                        dir.resolve("bad").toString(),
                        "--no-store"))
                .isNotZero();
    }

    private static List<JsonNode> samples(Path dir, String task) throws IOException {
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().matches("samples_" + task + "_.*\\.jsonl"))
                    .toList();
            assertThat(found).as("one samples file for %s", task).hasSize(1);
            file = found.getFirst();
        }
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) out.add(Json.MAPPER.readTree(line));
        return out;
    }
}
