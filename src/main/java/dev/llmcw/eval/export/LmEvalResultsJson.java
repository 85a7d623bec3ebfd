package dev.llmcw.eval.export;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmcw.eval.TaskMetrics;
import dev.llmcw.util.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The results JSON as lm-evaluation-harness v0.4.x writes it (evaluator.py's results dict as saved by
 * EvaluationTracker): "results" (per task: "alias", "metric,none", "metric_stderr,none", "samples"),
 * "group_subtasks", "configs", "versions", "n-shot", "higher_is_better", "n-samples" ({original,
 * effective}), "config" (model, model_args, batch_size, device, limit, bootstrap_iters, random_seed, …),
 * "git_hash", "date" (Unix seconds), "task_hashes", "model_source", "model_name", "model_name_sanitized";
 * plus the workbench's "details" per task and "base_results" when a base model was evaluated alongside.
 *
 * <p>Standard errors follow lm-eval's stderr_for_metric: with bootstrap_iters 0 there is none ("N/A");
 * otherwise a mean (acc, acc_norm) gets the closed-form mean_stderr and the perplexity aggregations
 * (weighted_perplexity, bits_per_byte) none, as lm-eval has no stderr function for them. No metric the
 * workbench reports is one lm-eval bootstraps, so bootstrap_iters only decides whether stderr is written.
 */
public final class LmEvalResultsJson {
    /** lm-eval's default --bootstrap_iters. */
    public static final int DEFAULT_BOOTSTRAP_ITERS = 100_000;

    private static final Set<String> LOWER_IS_BETTER = Set.of(
            "word_perplexity",
            "byte_perplexity",
            "bits_per_byte",
            "perplexity",
            "kl_mean",
            "kl_median",
            "kl_p99",
            "flips");

    private LmEvalResultsJson() {}

    /**
     * @param config lm-eval's "config" block (model, model_args, batch_size, device, limit, bootstrap_iters,
     *               random_seed, …); a missing bootstrap_iters is lm-eval's default. "model_name" and
     *               "git_hash" are taken out of it to the top level where given.
     */
    public static ObjectNode build(
            List<TaskMetrics> results, List<TaskMetrics> baseResults, Map<String, Object> config) {
        Map<String, Object> cfg = new LinkedHashMap<>(config == null ? Map.of() : config);
        Object modelName = cfg.remove("model_name");
        Object gitHash = cfg.remove("git_hash");
        cfg.putIfAbsent("bootstrap_iters", DEFAULT_BOOTSTRAP_ITERS);
        boolean stderr = ((Number) cfg.get("bootstrap_iters")).intValue() > 0;

        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("results", resultsNode(results, stderr));
        if (baseResults != null && !baseResults.isEmpty()) root.set("base_results", resultsNode(baseResults, stderr));
        ObjectNode groupSubtasks = root.putObject("group_subtasks");
        ObjectNode configs = root.putObject("configs");
        ObjectNode versions = root.putObject("versions");
        ObjectNode nshot = root.putObject("n-shot");
        ObjectNode hib = root.putObject("higher_is_better");
        ObjectNode nsamples = root.putObject("n-samples");
        ObjectNode taskHashes = Json.MAPPER.createObjectNode();
        ObjectNode details = Json.MAPPER.createObjectNode();
        for (TaskMetrics t : results) {
            groupSubtasks.putArray(t.task());
            configs.set(t.task(), LmEvalTaskConfigs.of(t.task(), t.taskVersion()));
            versions.set(t.task(), Json.MAPPER.valueToTree(versionNumber(t.taskVersion())));
            nshot.put(t.task(), 0);
            ObjectNode h = hib.putObject(t.task());
            for (String m : ResultsExport.primary(t)) h.put(m, !LOWER_IS_BETTER.contains(m));
            ObjectNode ns = nsamples.putObject(t.task());
            ns.put("original", originalCount(t));
            ns.put("effective", t.items());
            String dataHash = t.details().get("data_sha256");
            if (dataHash != null) taskHashes.put(t.task(), dataHash);
            details.set(t.task(), Json.MAPPER.valueToTree(t.details()));
        }
        root.set("config", Json.MAPPER.valueToTree(cfg));
        root.put("git_hash", gitHash == null ? null : gitHash.toString());
        root.put("date", System.currentTimeMillis() / 1000.0);
        root.set("task_hashes", taskHashes);
        String source =
                cfg.get("model") == null ? "workbench" : cfg.get("model").toString();
        String name = modelName != null ? modelName.toString() : modelNameFromArgs(cfg.get("model_args"));
        root.put("model_source", source);
        root.put("model_name", name);
        root.put("model_name_sanitized", sanitize(name));
        root.set("details", details);
        return root;
    }

    private static ObjectNode resultsNode(List<TaskMetrics> results, boolean stderr) {
        ObjectNode res = Json.MAPPER.createObjectNode();
        for (TaskMetrics t : results) {
            ObjectNode n = res.putObject(t.task());
            n.put("alias", t.task());
            for (String m : ResultsExport.primary(t)) {
                putNumber(n, m + ",none", t.metrics().get(m));
                Double se = stderr && "mean".equals(LmEvalTaskConfigs.aggregation(m))
                        ? t.metrics().get(m + "_stderr")
                        : null;
                putNumber(n, m + "_stderr,none", se);
            }
            n.put("samples", t.items());
        }
        return res;
    }

    /** Items in the split before --limit / --sample (recorded by the evaluator), else the evaluated count. */
    private static int originalCount(TaskMetrics t) {
        String s = t.details().get("items_in_split");
        try {
            return s == null ? t.items() : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return t.items();
        }
    }

    /** lm-eval writes non-numbers (no stderr, NaN) as "N/A". */
    private static void putNumber(ObjectNode n, String key, Double v) {
        if (v == null || v.isNaN() || v.isInfinite()) n.put(key, "N/A");
        else n.put(key, v);
    }

    /** The task version as lm-eval writes it: a number where it is one ("1.0" → 1.0). */
    static Object versionNumber(String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException | NullPointerException e) {
            return v;
        }
    }

    /** lm-eval's model name: the pretrained= (here also path=) argument of model_args. */
    static String modelNameFromArgs(Object modelArgs) {
        if (modelArgs == null) return "";
        for (String kv : modelArgs.toString().split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && (kv.startsWith("pretrained=") || kv.startsWith("path="))) return kv.substring(eq + 1);
        }
        return "";
    }

    /** EvaluationTracker's model_name_sanitized: runs of "<>:/\|?*[] become "__". */
    static String sanitize(String name) {
        return name.replaceAll("[\"<>:/\\\\|?*\\[\\]]+", "__");
    }
}
