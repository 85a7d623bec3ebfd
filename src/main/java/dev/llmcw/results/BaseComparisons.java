package dev.llmcw.results;

import dev.llmcw.eval.ItemStore.StoredItem;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the uncompressed run each compressed run is compared with and compares them item by item.
 * The one place that pairs runs: the Compare table, the tooltips, the report and the Items view all
 * take the base run (and so the flips) from here, so they cannot disagree.
 */
public final class BaseComparisons {
    private BaseComparisons() {}

    /** The metric the paired test compares: per-item correctness is what the item store records. */
    public static final String METRIC = "acc";

    /**
     * The newest finished uncompressed run among {@code candidates} of the same task and protocol whose
     * weights are the ones {@code run} was compressed from: the fidelity base when the run names one,
     * else the runs of the same model label.
     */
    public static Optional<RunRecord> baseOf(RunRecord run, List<RunRecord> candidates) {
        if (run.spec().isBaseModel()) return Optional.empty();
        RunProtocol protocol = RunProtocol.of(run);
        String baseHash = run.spec().options().fidelityBaseHash();
        return candidates.stream()
                .filter(c -> c.status() == RunStatus.DONE
                        && c.spec().isBaseModel()
                        && c.task().equals(run.task()))
                .filter(c -> baseHash != null
                        ? baseHash.equals(c.spec().modelHash())
                        : c.modelLabel().equals(run.modelLabel()))
                .filter(c -> RunProtocol.of(c).equals(protocol))
                .max((a, b) -> Long.compare(a.id(), b.id()));
    }

    /** The base run of {@code run} among the store's finished runs. */
    public static Optional<RunRecord> baseOf(ResultsStore store, RunRecord run) {
        return baseOf(run, store.listRuns(new RunFilter(null, RunSpec.NO_METHOD, run.task(), RunStatus.DONE)));
    }

    /** Comparisons of every compressed run in {@code runs} that has a base run with the metric (by run id). */
    public static Map<Long, BaseComparison> of(ResultsStore store, List<RunRecord> runs) {
        var out = new HashMap<Long, BaseComparison>();
        var baseItems = new HashMap<Long, Map<String, StoredItem>>();
        var baseRuns = new HashMap<String, List<RunRecord>>(); // one query per task, not per run
        for (RunRecord run : runs) {
            if (run.status() != RunStatus.DONE
                    || run.metric(METRIC).isEmpty()
                    || run.spec().isBaseModel()) continue;
            List<RunRecord> candidates = baseRuns.computeIfAbsent(
                    run.task(), t -> store.listRuns(new RunFilter(null, RunSpec.NO_METHOD, t, RunStatus.DONE)));
            baseOf(run, candidates)
                    .filter(b -> b.metric(METRIC).isPresent())
                    .ifPresent(base -> out.put(
                            run.id(),
                            compare(
                                    base,
                                    run,
                                    baseItems.computeIfAbsent(base.id(), store::itemsFor),
                                    store.itemsFor(run.id()))));
        }
        return out;
    }

    /** Compares two runs' stored items (pairs by item id; items only one run scored are left out). */
    public static BaseComparison compare(
            RunRecord base, RunRecord run, Map<String, StoredItem> baseItems, Map<String, StoredItem> items) {
        int paired = 0, onlyBase = 0, onlyThis = 0, flips = 0;
        for (StoredItem it : items.values()) {
            StoredItem b = baseItems.get(it.itemId());
            if (b == null) continue;
            paired++;
            boolean thisRight = it.chosen() == it.gold(), baseRight = b.chosen() == b.gold();
            if (baseRight && !thisRight) onlyBase++;
            if (thisRight && !baseRight) onlyThis++;
            if (b.chosen() != it.chosen()) flips++;
        }
        return new BaseComparison(
                base.id(),
                METRIC,
                base.metric(METRIC).orElseThrow().value(),
                run.metric(METRIC).orElseThrow().value(),
                paired,
                onlyBase,
                onlyThis,
                flips);
    }
}
