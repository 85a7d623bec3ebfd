package dev.llmcw.eval;

import java.util.List;

/**
 * What one task run produced.
 *
 * @param metrics     the evaluated model's metrics (with fidelity metrics when a base model was given)
 * @param baseMetrics the base model's own metrics on the same items, or null without a base model
 * @param runKey      item-store key of the evaluated model's items
 * @param baseRunKey  item-store key of the base model's items, or null
 * @param samples     the evaluated model's items in evaluation order, for the per-sample log
 */
public record TaskResult(
        TaskMetrics metrics, TaskMetrics baseMetrics, String runKey, String baseRunKey, List<ItemSample> samples) {
    public TaskResult {
        samples = samples == null ? List.of() : List.copyOf(samples);
    }

    public TaskResult(TaskMetrics metrics, TaskMetrics baseMetrics, String runKey, String baseRunKey) {
        this(metrics, baseMetrics, runKey, baseRunKey, List.of());
    }
}
