package dev.llmcw.eval;

import dev.llmcw.eval.tasks.Task;
import dev.llmcw.util.Hashing;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The key under which an evaluation run's items are stored ({@link ItemStore}): everything that changes
 * the numbers — the model's content hash, task name and version, the data's content hash, BOS mode,
 * effective max length, the item selection (a random sample N as "limit", the first N as "first"), seed,
 * and whether fidelity against a base model (and which base) is on.
 * Batch size is left out: it does not change results. Readable prefix + SHA-256 of the canonical form.
 */
public final class RunKey {
    private RunKey() {}

    /**
     * @param modelFingerprint content hash of the evaluated weights (+ tokenizer)
     * @param dataFingerprint  content hash of the task's items (see {@link dev.llmcw.eval.tasks.McItem#fingerprint})
     * @param maxLength        the effective max length (after resolving 0 to the model's)
     * @param baseFingerprint  base model's content hash when fidelity is on, else null
     */
    public static String of(
            String modelFingerprint,
            Task task,
            String dataFingerprint,
            EvalOptions o,
            int maxLength,
            String baseFingerprint) {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("model", modelFingerprint);
        parts.put("task", task.name());
        parts.put("version", task.version());
        parts.put("data", dataFingerprint);
        parts.put("bos", o.bos().name());
        parts.put("max_length", Integer.toString(maxLength));
        // "limit" keeps the meaning it had before --sample existed (a seeded random subset, now --sample), so
        // items stored then stay where a resumed or reused run looks for them; the first N (lm-eval's --limit)
        // is a part of its own, added only when given, so full runs keep their keys too
        parts.put("limit", Integer.toString(o.sample()));
        parts.put("seed", Long.toString(o.seed()));
        parts.put("fidelity", baseFingerprint == null ? "off" : "on:" + baseFingerprint);
        if (o.limit() > 0) parts.put("first", Integer.toString(o.limit()));
        String canonical = parts.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n"));
        return task.name() + "@" + task.version() + "/"
                + Hashing.sha256(canonical).substring(0, 32);
    }
}
