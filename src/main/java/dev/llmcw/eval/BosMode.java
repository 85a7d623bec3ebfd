package dev.llmcw.eval;

import java.util.Locale;

/** Whether a BOS token is prepended to contexts (lm-eval's behaviour changed across versions). */
public enum BosMode {
    /**
     * Each protocol's reference behaviour: no BOS for lm-eval tasks (harness 0.3.0 and ≤ 0.4.9.1 encode
     * with add_special_tokens=False for causal LMs), the tokenizer's default for the papers' chunked
     * perplexity (their code calls tokenizer(text), which adds BOS for Llama).
     */
    AUTO,
    /** Tokenizer default everywhere (newer harness versions): BOS when the tokenizer adds it by default. */
    ON,
    /** Never. */
    OFF;

    public static BosMode parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "on", "true", "yes" -> ON;
            case "off", "false", "no" -> OFF;
            default -> throw new IllegalArgumentException("--bos must be auto, on or off, not \"" + s + "\"");
        };
    }
}
