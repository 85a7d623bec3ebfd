package dev.llmcw.eval;

/**
 * Options that change evaluation numbers (all are part of the run key) plus batch size, which is
 * recorded but does not change results (scoring is per item, contexts shared within an item).
 *
 * @param maxLength longest model input in tokens; 0 = the scorer's own maximum (the model's context)
 * @param limit     evaluate a seeded random subset of this many items; 0 = all
 * @param seed      seed for the --limit subset (and recorded; the cloze task has its own seed)
 */
public record EvalOptions(BosMode bos, int maxLength, int limit, long seed, int batchSize) {
    public EvalOptions {
        if (maxLength < 0 || limit < 0 || batchSize < 1) throw new IllegalArgumentException("max length and limit must be >= 0, batch size >= 1");
    }

    public static EvalOptions defaults() {
        return new EvalOptions(BosMode.AUTO, 0, 0, 1234, 1);
    }

    public EvalOptions withLimit(int l) { return new EvalOptions(bos, maxLength, l, seed, batchSize); }

    public EvalOptions withBos(BosMode b) { return new EvalOptions(b, maxLength, limit, seed, batchSize); }

    public EvalOptions withMaxLength(int m) { return new EvalOptions(bos, m, limit, seed, batchSize); }

    public EvalOptions withSeed(long s) { return new EvalOptions(bos, maxLength, limit, s, batchSize); }
}
