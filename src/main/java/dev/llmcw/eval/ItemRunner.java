package dev.llmcw.eval;

import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Json;
import dev.llmcw.util.Parallel;
import dev.llmcw.util.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The one loop over a task's items, whatever scores them ({@link ItemScorer}): items already stored under
 * the run key are skipped (resume), finished items are saved to the {@link ItemStore} (in blocks, one
 * transaction each, when a small model scores items in parallel; see {@link #ITEM_PARALLEL_MAX_WEIGHTS}),
 * progress is reported per item in item order, cancellation is honoured between items, and a non-finite
 * score stops the run before its item is saved. With a base model, the base's item results go to the
 * store under the base's run key and are reused by later runs against the same base.
 */
final class ItemRunner {
    /**
     * Wall time one block of item-parallel scoring aims at (one store transaction, one progress report per
     * block). Every block ends with the threads waiting for the slowest item and then for the save; blocks of
     * 8 items per thread cost stories260K's full PIQA ~6 % of its wall time that way, blocks of ~0.5 s less
     * than 1 %. A cancelled block stops taking items and saves the finished ones, so only a killed process
     * loses up to one block.
     */
    static final long BLOCK_NANOS = 500_000_000L;

    /** Most items per engine thread in one block, whatever the timing says. */
    private static final int MAX_ITEMS_PER_THREAD = 256;

    /**
     * Models with at most this many weights per token score items in parallel (one item per engine
     * thread, kernels single-threaded); larger ones score one item at a time with parallel kernels.
     * For a small model each matrix product of an item is tens of microseconds of work, the order of
     * a fork–join of the engine's threads, so splitting the products costs about as much as it gains
     * (stories260K: 0.26M weights); items are independent and need no synchronisation at all. For a
     * large model each product is milliseconds, splitting it is nearly free, and one item at a time
     * keeps one set of activations and logits in memory and reports progress per item.
     */
    static final long ITEM_PARALLEL_MAX_WEIGHTS = 16_000_000L;

    /** What a run over the items produced, in item order. */
    record Run<P>(List<P> model, List<P> base, int resumed, ScoreCounters counters, Throughput throughput) {}

    /** Where the items are stored and which models score them (base null: no fidelity). */
    record Keys(String task, String runKey, String baseKey, ScoringModel model, ScoringModel base) {}

    private record Outcome<P>(
            P model, P base, boolean saveModel, boolean saveBase, boolean resumed, ScoreCounters counters) {}

    /** Least time between two running-metric lines in the job log (running accuracy, running perplexity). */
    static final long RUNNING_LOG_NANOS = 5_000_000_000L;

    private final ItemStore store;
    private final ProgressListener progress;
    private final CancellationToken cancel;
    private final LongSupplier nanoTime;

    ItemRunner(ItemStore store, ProgressListener progress, CancellationToken cancel) {
        this(store, progress, cancel, System::nanoTime);
    }

    /** As above with the clock that spaces the running-metric log lines (tests use a fake one). */
    ItemRunner(ItemStore store, ProgressListener progress, CancellationToken cancel, LongSupplier nanoTime) {
        this.store = store;
        this.progress = progress;
        this.cancel = cancel;
        this.nanoTime = nanoTime;
    }

    /** Items in the next item-parallel block: about {@link #BLOCK_NANOS} at the last block's pace. */
    static int nextBlock(int workers, int lastItems, long lastNanos) {
        double perItem = Math.max(1, lastNanos) / (double) Math.max(1, lastItems);
        return (int) Math.max(workers, Math.min((double) workers * MAX_ITEMS_PER_THREAD, BLOCK_NANOS / perItem));
    }

    /** The rule of {@link #ITEM_PARALLEL_MAX_WEIGHTS}; an unknown size (0) counts as small. */
    static boolean itemParallel(ScoringModel model, ScoringModel base) {
        if (Parallel.threads() <= 1) return false;
        long w = Math.max(
                model.scorer().weightsPerToken(),
                base == null ? 0 : base.scorer().weightsPerToken());
        return w <= ITEM_PARALLEL_MAX_WEIGHTS;
    }

    /**
     * @param parallelItems whether items may be scored in parallel blocks (small models); otherwise one item
     *                      at a time, saved as it completes
     */
    <I, P> Run<P> run(List<I> items, ItemScorer<I, P> scorer, Keys keys, boolean parallelItems) {
        boolean hasBase = keys.base() != null;
        Map<String, ItemStore.StoredItem> done = store.load(keys.runKey());
        Map<String, ItemStore.StoredItem> baseDone = hasBase ? store.load(keys.baseKey()) : Map.of();
        ScoreCounters counters = new ScoreCounters();
        Throughput tp = new Throughput(keys.task(), items.size());
        List<P> results = new ArrayList<>(items.size());
        List<P> baseResults = new ArrayList<>(items.size());
        int resumed = 0;
        RunningMetric<I, P> running = scorer.running();
        long lastRunningLog = nanoTime.getAsLong();
        int workers = parallelItems ? Parallel.threads() : 1;
        // Item-parallel: blocks of items (about BLOCK_NANOS of work) are scored by all engine threads at once
        // and then saved in one transaction; progress and results stay in item order. Otherwise one item at
        // a time with parallel kernels, saved as it completes.
        int block = parallelItems ? workers * 2 : 1;
        for (int from = 0, to; from < items.size(); from = to) {
            cancel.throwIfCancelled();
            long blockStart = System.nanoTime();
            to = Math.min(items.size(), from + block);
            int first = from, end = to;
            @SuppressWarnings("unchecked")
            Outcome<P>[] outs = new Outcome[to - from];
            if (parallelItems) {
                AtomicInteger next = new AtomicInteger(from);
                // one task per thread taking the next item as it finishes one, so uneven items balance out;
                // the engine's kernels run single-threaded inside (Parallel.forRange runs nested calls inline)
                Parallel.forRange(0, Math.min(workers, to - from), 1, w -> {
                    for (int i = next.getAndIncrement(); i < end && !cancel.isCancelled(); i = next.getAndIncrement()) {
                        outs[i - first] = process(items.get(i), scorer, done, baseDone, hasBase);
                    }
                });
            } else {
                outs[0] = process(items.get(from), scorer, done, baseDone, hasBase);
            }
            requireFinite(items, from, outs, scorer, keys);
            // everything finished is saved before a cancellation is acted on, so a resumed run skips it
            List<ItemStore.StoredItem> saveModel = new ArrayList<>(), saveBase = new ArrayList<>();
            boolean complete = true;
            for (int i = from; i < to; i++) {
                Outcome<P> o = outs[i - from];
                if (o == null) {
                    complete = false;
                    continue;
                }
                if (o.saveBase()) saveBase.add(scorer.stored(items.get(i), o.base()));
                if (o.saveModel()) saveModel.add(scorer.stored(items.get(i), o.model()));
            }
            if (!saveBase.isEmpty()) store.saveAll(keys.baseKey(), saveBase);
            if (!saveModel.isEmpty()) store.saveAll(keys.runKey(), saveModel);
            if (!complete) throw new CancellationToken.CancelledException();
            for (int i = from; i < to; i++) {
                Outcome<P> o = outs[i - from];
                counters.add(o.counters());
                if (o.resumed()) {
                    resumed++;
                    tp.skipped();
                } else {
                    tp.scored();
                }
                results.add(o.model());
                running.add(items.get(i), o.model());
                if (o.base() != null) baseResults.add(o.base());
                tp.report(progress);
                if (i + 1 < to) cancel.throwIfCancelled();
            }
            if (parallelItems) block = nextBlock(workers, to - from, System.nanoTime() - blockStart);
            // the metric so far, every few seconds while the task runs (the finished task's line says the rest)
            long now = nanoTime.getAsLong();
            if (to < items.size() && now - lastRunningLog >= RUNNING_LOG_NANOS) {
                progress.log(keys.task() + ": " + running.describe());
                lastRunningLog = now;
            }
        }
        return new Run<>(results, baseResults, resumed, counters, tp);
    }

    /** Scores one item (or takes it from the stores); thread-safe, touches no shared state. */
    private static <I, P> Outcome<P> process(
            I item,
            ItemScorer<I, P> scorer,
            Map<String, ItemStore.StoredItem> done,
            Map<String, ItemStore.StoredItem> baseDone,
            boolean hasBase) {
        String id = scorer.id(item);
        ItemStore.StoredItem sc = done.get(id);
        ItemStore.StoredItem sb = baseDone.get(id);
        ScoreCounters counters = new ScoreCounters();
        if (sc != null && (!hasBase || sb != null)) {
            return new Outcome<>(read(sc, scorer), sb == null ? null : read(sb, scorer), false, false, true, counters);
        }
        if (sc != null) return new Outcome<>(read(sc, scorer), scorer.scoreBase(item), false, true, false, counters);
        ItemScorer.Scored<P> s = scorer.score(item, counters);
        P base = sb != null ? read(sb, scorer) : s.base();
        return new Outcome<>(s.model(), base, true, hasBase && sb == null, false, counters);
    }

    private static <P> P read(ItemStore.StoredItem stored, ItemScorer<?, P> scorer) {
        return Json.read(stored.payloadJson(), scorer.payloadType());
    }

    /** The first newly scored non-finite value in item order stops the run before anything of the block is saved. */
    private static <I, P> void requireFinite(
            List<I> items, int from, Outcome<P>[] outs, ItemScorer<I, P> scorer, Keys keys) {
        for (int k = 0; k < outs.length; k++) {
            Outcome<P> o = outs[k];
            if (o == null || o.resumed()) continue;
            String id = scorer.id(items.get(from + k));
            // the base first: a broken base also makes the evaluated model's KL non-finite
            String bad = o.saveBase() ? scorer.nonFinite(o.base()) : null;
            if (bad != null)
                throw new NonFiniteScoreException(keys.task(), id, keys.base().label() + " (the fidelity base)", bad);
            bad = o.saveModel() ? scorer.nonFinite(o.model()) : null;
            if (bad != null)
                throw new NonFiniteScoreException(keys.task(), id, keys.model().label(), bad);
        }
    }
}
