package dev.llmcw.eval;

import dev.llmcw.engine.Scorer;
import dev.llmcw.tokenizer.Tokenizer;

/**
 * A model as the evaluator sees it.
 *
 * @param fingerprint content hash of everything that determines its outputs (weights and tokenizer):
 *                    the first part of every run key, so cached item results are never reused across models
 * @param label       human-readable name for reports
 */
public record ScoringModel(String label, String fingerprint, Scorer scorer, Tokenizer tokenizer) {
    public ScoringModel {
        if (fingerprint == null || fingerprint.isBlank())
            throw new IllegalArgumentException("a model fingerprint is required for run keys");
    }
}
