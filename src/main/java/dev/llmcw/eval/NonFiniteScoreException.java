package dev.llmcw.eval;

/**
 * A log-likelihood, perplexity term or KL came out NaN or infinite: the model's numbers are garbage
 * (typically NaN weights), so the evaluation stops before the item is stored rather than record a
 * meaningless accuracy or perplexity.
 */
public final class NonFiniteScoreException extends IllegalStateException {
    public NonFiniteScoreException(String task, String itemId, String modelLabel, String what) {
        super(task + ": item " + itemId + " scored a non-finite " + what + " on model " + modelLabel
                + ", so the evaluation was stopped and nothing of it stored (check the weights for NaN or Inf)");
    }
}
