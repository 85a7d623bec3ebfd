package dev.llmcw.eval.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmcw.eval.TaskDescriptor;
import dev.llmcw.eval.TaskRegistry;
import dev.llmcw.util.Json;
import java.util.Map;
import java.util.Optional;

/**
 * The per-task "configs" entry of lm-eval's results JSON: what the task's yaml in lm-evaluation-harness
 * v0.4.x says (dataset, split, prompt template, choices, metrics). Workbench-only tasks (cloze, the papers'
 * chunked perplexity, TinyStories and text-file perplexity) describe themselves in the same keys, with
 * dataset_path naming the workbench's data file. The metric list comes from the task's descriptor.
 */
final class LmEvalTaskConfigs {
    private LmEvalTaskConfigs() {}

    /** The yaml facts of an lm-eval task (null where the yaml has no such key). */
    private record Yaml(
            String datasetPath,
            String datasetName,
            String testSplit,
            String validationSplit,
            String docToText,
            String docToTarget,
            String docToChoice) {}

    private static final Map<String, Yaml> LM_EVAL = Map.of(
            "piqa",
                    new Yaml(
                            "baber/piqa",
                            null,
                            null,
                            "validation",
                            "Question: {{goal}}\nAnswer:",
                            "label",
                            "{{[sol1, sol2]}}"),
            "hellaswag", new Yaml("Rowan/hellaswag", null, null, "validation", "{{query}}", "{{label}}", "choices"),
            "arc_easy",
                    new Yaml(
                            "allenai/ai2_arc",
                            "ARC-Easy",
                            "test",
                            "validation",
                            "Question: {{question}}\nAnswer:",
                            "{{choices.label.index(answerKey)}}",
                            "{{choices.text}}"),
            "arc_challenge",
                    new Yaml(
                            "allenai/ai2_arc",
                            "ARC-Challenge",
                            "test",
                            "validation",
                            "Question: {{question}}\nAnswer:",
                            "{{choices.label.index(answerKey)}}",
                            "{{choices.text}}"),
            "winogrande",
                    new Yaml(
                            "allenai/winogrande",
                            "winogrande_xl",
                            null,
                            "validation",
                            "<function doc_to_text>",
                            "<function doc_to_target>",
                            "<function doc_to_choice>"),
            "boolq",
                    new Yaml(
                            "super_glue",
                            "boolq",
                            null,
                            "validation",
                            "{{passage}}\nQuestion: {{question}}?\nAnswer:",
                            "label",
                            "['no', 'yes']"),
            "wikitext",
                    new Yaml(
                            "EleutherAI/wikitext_document_level",
                            "wikitext-2-raw-v1",
                            "test",
                            "validation",
                            "",
                            "<function wikitext_detokenizer>",
                            null));

    /** The config object for one task as lm-eval writes it under "configs". */
    static ObjectNode of(String task, String version) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("task", task);
        Optional<TaskDescriptor> d = TaskRegistry.find(task);
        Yaml y = LM_EVAL.get(task);
        boolean multipleChoice = d.map(t -> t.scoring() == TaskDescriptor.ScoringRule.MULTIPLE_CHOICE)
                .orElse(true);
        if (y != null) {
            c.put("dataset_path", y.datasetPath());
            if (y.datasetName() != null) c.put("dataset_name", y.datasetName());
            if (y.testSplit() != null) c.put("test_split", y.testSplit());
            if (y.validationSplit() != null) c.put("validation_split", y.validationSplit());
            c.put("doc_to_text", y.docToText());
            c.put("doc_to_target", y.docToTarget());
            if (y.docToChoice() != null) c.put("doc_to_choice", y.docToChoice());
        } else {
            // a workbench task: the data file it reads and how its items are built
            c.put("dataset_path", "workbench:" + d.map(TaskDescriptor::dataset).orElse("unknown"));
            c.put("test_split", "test");
            c.put("doc_to_text", multipleChoice ? "<workbench: item context>" : "");
            c.put("doc_to_target", multipleChoice ? "<workbench: gold choice index>" : "<workbench: document text>");
            if (multipleChoice) c.put("doc_to_choice", "<workbench: item choices>");
        }
        c.put("description", "");
        c.put("target_delimiter", " ");
        c.put("fewshot_delimiter", "\n\n");
        c.put("num_fewshot", 0);
        ArrayNode metrics = c.putArray("metric_list");
        d.ifPresent(t -> t.metrics()
                .forEach(m -> metrics.addObject()
                        .put("metric", m.name())
                        .put("aggregation", aggregation(m.name()))
                        .put("higher_is_better", m.higherIsBetter())));
        c.put("output_type", multipleChoice ? "multiple_choice" : "loglikelihood_rolling");
        c.put("repeats", 1);
        c.put("should_decontaminate", false);
        c.putObject("metadata").set("version", Json.MAPPER.valueToTree(LmEvalResultsJson.versionNumber(version)));
        return c;
    }

    /** lm-eval's aggregation function name for a metric. */
    static String aggregation(String metric) {
        return switch (metric) {
            // the workbench's token perplexity is exp(−Σll / Σtokens): lm-eval's weighted_perplexity over tokens
            case "word_perplexity", "byte_perplexity", "perplexity" -> "weighted_perplexity";
            case "bits_per_byte" -> "bits_per_byte";
            default -> "mean";
        };
    }
}
