package dev.llmcw.eval;

import java.util.Map;

/**
 * Aggregate result of one task on one model, with metric names as lm-eval writes them without the
 * filter suffix: "acc", "acc_stderr", "acc_norm", "acc_norm_stderr", "word_perplexity",
 * "byte_perplexity", "bits_per_byte", "perplexity", and fidelity metrics ("kl_mean", "kl_median",
 * "kl_p99", "top1_agreement", "flips", "delta_ll_mean").
 *
 * @param details extra facts to keep with the result (e.g. chance level, flipped item ids, BOS used)
 */
public record TaskMetrics(
        String task, String taskVersion, int items, Map<String, Double> metrics, Map<String, String> details) {}
