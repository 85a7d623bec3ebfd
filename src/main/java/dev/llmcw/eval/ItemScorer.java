package dev.llmcw.eval;

/**
 * How one kind of task scores one item: the pluggable part of the {@link ItemRunner}. Implementations
 * are thread-safe (a small model scores items in parallel) and touch no shared state.
 *
 * @param <I> an item as the task reads it
 * @param <P> what is stored per item: enough to recompute every metric
 */
interface ItemScorer<I, P> {
    /** The evaluated model's payload and, with a base model, the base's (else null). */
    record Scored<P>(P model, P base) {}

    String id(I item);

    Class<P> payloadType();

    /** Scores the item on the evaluated model and, when there is a base model, on the base too (fidelity values included). */
    Scored<P> score(I item, ScoreCounters counters);

    /** Scores the item on the base model alone (the evaluated model's result is already stored). */
    P scoreBase(I item);

    ItemStore.StoredItem stored(I item, P payload);

    /** Describes the first non-finite value in a payload ("log-likelihood NaN"), or null when all are finite. */
    String nonFinite(P payload);

    /** A fresh running metric over the evaluated model's payloads, for the job log while the task runs. */
    RunningMetric<I, P> running();
}
