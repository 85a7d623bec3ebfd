package dev.llmcw.engine;

/**
 * Log-likelihood scoring, the API the evaluation suite is built on (lm-eval's loglikelihood request).
 * The context is processed once and its KV cache reused for every continuation.
 */
public interface Scorer {
    /**
     * Scores each continuation after the shared context. Token ids only; the caller has done
     * lm-eval's tokenisation (context = enc(ctx), continuation = enc(ctx+cont)[len(enc(ctx)):]) and
     * decided about BOS. If context+continuation exceed {@link #maxLength()}+1 tokens, the context is
     * truncated from the left exactly as lm-eval does ((ctx+cont)[-(maxLen+1):][:-1]).
     *
     * @param wantDistributions also return the full next-token log-prob distribution at every
     *                          continuation position (for KL / top-1 agreement against another model)
     */
    ContinuationScore[] score(int[] context, int[][] continuations, boolean wantDistributions);

    /** Longest input (tokens) the model attends over. */
    int maxLength();

    int vocabSize();

    /**
     * Weights each token goes through (≈ multiply–adds per token of the model's matrix products), or 0
     * when unknown; the evaluator chooses between scoring items in parallel and parallel kernels from it.
     */
    default long weightsPerToken() {
        return 0;
    }

    /**
     * Scores of one continuation.
     *
     * @param tokenLogProbs log p(token_i | prefix) for each continuation token
     * @param sum           sum of tokenLogProbs (double accumulation)
     * @param greedy        every continuation token is the argmax of its distribution
     * @param distributions null unless requested: [continuation position][vocab] log-probs
     */
    record ContinuationScore(float[] tokenLogProbs, double sum, boolean greedy, float[][] distributions) {}
}
