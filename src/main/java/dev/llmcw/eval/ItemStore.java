package dev.llmcw.eval;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Durable per-item results of an evaluation run, keyed by a run key that covers everything that
 * changes the numbers (weight content hash, task + version, options). The evaluator skips items
 * already stored, which is how cancelled or killed runs resume. The SQLite results store implements
 * this; {@link #inMemory()} serves tests and throwaway runs.
 */
public interface ItemStore {
    /**
     * One stored item.
     *
     * @param gold        gold choice index (-1 for perplexity documents)
     * @param chosen      predicted choice index by acc (-1 for perplexity documents)
     * @param payloadJson everything else the task needs to recompute its metrics (log-likelihoods per
     *                    choice, lengths, greedy flags, token counts, fidelity values), as JSON
     */
    record StoredItem(String itemId, int gold, int chosen, String payloadJson) {}

    /** Items already stored for this run key, by item id. */
    Map<String, StoredItem> load(String runKey);

    /** Stores one item; durable when it returns (a crash right after must not lose it). */
    void save(String runKey, StoredItem item);

    /** Stores several items of one run at once (one transaction where the store has them); durable when it returns. */
    default void saveAll(String runKey, List<StoredItem> items) {
        for (StoredItem item : items) save(runKey, item);
    }

    /** Thrown by a {@link #readOnly} store when an item is not stored and would have to be scored. */
    final class NotStoredException extends RuntimeException {
        public NotStoredException(String runKey, String itemId) {
            super("item " + itemId + " is not stored under run key " + runKey);
        }
    }

    /**
     * The stored items of {@code store}, read only: saving throws {@link NotStoredException}, so an
     * evaluation that finds an item missing stops after scoring at most one block instead of
     * re-evaluating the task (reading back a reused run's items).
     */
    static ItemStore readOnly(ItemStore store) {
        return new ItemStore() {
            @Override
            public Map<String, StoredItem> load(String runKey) {
                return store.load(runKey);
            }

            @Override
            public void save(String runKey, StoredItem item) {
                throw new NotStoredException(runKey, item.itemId());
            }

            @Override
            public void saveAll(String runKey, List<StoredItem> items) {
                throw new NotStoredException(runKey, items.getFirst().itemId());
            }
        };
    }

    static ItemStore inMemory() {
        return new ItemStore() {
            private final Map<String, Map<String, StoredItem>> runs = new ConcurrentHashMap<>();

            @Override
            public Map<String, StoredItem> load(String runKey) {
                return Map.copyOf(runs.getOrDefault(runKey, Map.of()));
            }

            @Override
            public void save(String runKey, StoredItem item) {
                runs.computeIfAbsent(runKey, k -> new ConcurrentHashMap<>()).put(item.itemId(), item);
            }
        };
    }
}
