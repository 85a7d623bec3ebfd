package dev.llmcw.results;

import dev.llmcw.eval.TaskMetrics;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One stored run: one task evaluated on one model (base or compressed) with one set of options.
 *
 * @param runKey  {@link RunSpec#cacheKey}: finished runs with the same key and limit are reused
 * @param itemKey the {@link dev.llmcw.eval.ItemStore} key its per-item results are stored under (the
 *                evaluator's own key; null while unknown, i.e. until the run finished once)
 * @param spec    the request, with {@code tasks} = [task]
 * @param metrics stored metrics (empty while running)
 * @param timings seconds per stage (e.g. "load", "eval")
 */
public record RunRecord(
        long id,
        Instant created,
        RunSpec spec,
        String task,
        String taskVersion,
        String runKey,
        String itemKey,
        Double bitsPerWeight,
        Long totalBytes,
        String codeVersion,
        MachineInfo machine,
        RunStatus status,
        String message,
        Instant started,
        Instant finished,
        Double seconds,
        Map<String, Double> timings,
        Integer items,
        List<Metric> metrics,
        Map<String, String> details) {

    /** A metric value with its standard error (null where the metric has none). */
    public record Metric(String name, double value, Double stderr) {}

    public String modelLabel() {
        return spec.modelLabel();
    }

    public String method() {
        return spec.method();
    }

    public Map<String, String> methodParams() {
        return spec.methodParams();
    }

    public Optional<Metric> metric(String name) {
        return metrics.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** Metrics by lm-eval name, each stderr under "name_stderr" (the {@link dev.llmcw.eval.TaskMetrics} form). */
    public Map<String, Double> metricsMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Metric x : metrics) {
            m.put(x.name(), x.value());
            if (x.stderr() != null) m.put(x.name() + "_stderr", x.stderr());
        }
        return m;
    }

    public TaskMetrics toTaskMetrics() {
        return new TaskMetrics(task, taskVersion, items == null ? 0 : items, metricsMap(), details);
    }

    /** "method k=v k=v" (parameters sorted) or "none": the label of the compression setting. */
    public String settingLabel() {
        var sb = new StringBuilder(spec.method());
        spec.methodParams()
                .forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }
}
