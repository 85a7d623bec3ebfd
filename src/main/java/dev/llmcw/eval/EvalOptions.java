package dev.llmcw.eval;

import java.util.List;

/**
 * Options that change evaluation numbers (all are part of the run key) plus batch size, which is
 * recorded but does not change results (scoring is per item, contexts shared within an item).
 *
 * @param maxLength longest model input in tokens; 0 = the scorer's own maximum (the model's context)
 * @param limit     evaluate the first N items of the split, as lm-eval's --limit; 0 = all
 * @param sample    evaluate a seeded random subset of N items instead (see {@link ItemSubset}); 0 = none
 * @param seed      seed of the --sample subset (and recorded; the cloze task has its own seed)
 */
public record EvalOptions(BosMode bos, int maxLength, int limit, int sample, long seed, int batchSize) {
    public EvalOptions {
        if (maxLength < 0 || limit < 0 || sample < 0 || batchSize < 1)
            throw new IllegalArgumentException("max length, limit and sample must be >= 0, batch size >= 1");
        if (limit > 0 && sample > 0) throw new IllegalArgumentException(ItemSubset.BOTH_GIVEN);
    }

    public static EvalOptions defaults() {
        return new EvalOptions(BosMode.AUTO, 0, 0, 0, 1234, 1);
    }

    /** The first {@code l} items (lm-eval's --limit); clears a sample. */
    public EvalOptions withLimit(int l) {
        return new EvalOptions(bos, maxLength, l, 0, seed, batchSize);
    }

    /** A seeded random subset of {@code n} items; clears a limit. */
    public EvalOptions withSample(int n) {
        return new EvalOptions(bos, maxLength, 0, n, seed, batchSize);
    }

    public EvalOptions withBos(BosMode b) {
        return new EvalOptions(b, maxLength, limit, sample, seed, batchSize);
    }

    public EvalOptions withMaxLength(int m) {
        return new EvalOptions(bos, m, limit, sample, seed, batchSize);
    }

    public EvalOptions withSeed(long s) {
        return new EvalOptions(bos, maxLength, limit, sample, s, batchSize);
    }

    /** Indices (ascending) of the items this run evaluates out of {@code ids}. */
    public int[] select(List<String> ids) {
        return sample > 0 ? ItemSubset.sample(ids, sample, seed) : ItemSubset.first(ids.size(), limit);
    }

    /** How many items {@link #select} takes out of {@code available} (without needing their ids). */
    public int selectedCount(int available) {
        int wanted = sample > 0 ? sample : limit;
        return wanted > 0 ? Math.min(available, wanted) : available;
    }
}
