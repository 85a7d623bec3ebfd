package dev.llmcw.eval;

import dev.llmcw.eval.tasks.McItem;
import dev.llmcw.eval.tasks.TextDoc;

/**
 * One evaluated item with what the model produced for it, for lm-eval's per-sample log
 * ({@code samples_<task>_<date>.jsonl}, see {@code eval.export.SamplesLog}).
 *
 * @param docId the item's index in the task's split (lm-eval's doc_id)
 */
public sealed interface ItemSample {
    int docId();

    /**
     * A multiple-choice document and its per-choice log-likelihoods.
     *
     * @param accNorm whether the task reports acc_norm
     */
    record MultipleChoice(int docId, McItem item, Evaluator.McPayload payload, boolean accNorm) implements ItemSample {}

    /**
     * A perplexity document (or one chunk of the papers' joined text, then {@code doc} is null).
     *
     * @param id the document or chunk id
     */
    record Perplexity(int docId, String id, TextDoc doc, Evaluator.PplPayload payload) implements ItemSample {}
}
