package dev.llmcw.cluster;

import dev.llmcw.eval.ItemStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An in-memory {@link ItemStore} that keeps what was saved, by run key and in order: a shard's output. */
final class RecordingItemStore implements ItemStore {
    private final Map<String, Map<String, StoredItem>> saved = new LinkedHashMap<>();

    @Override
    public synchronized Map<String, StoredItem> load(String runKey) {
        return Map.copyOf(saved.getOrDefault(runKey, Map.of()));
    }

    @Override
    public synchronized void save(String runKey, StoredItem item) {
        saved.computeIfAbsent(runKey, k -> new LinkedHashMap<>()).put(item.itemId(), item);
    }

    synchronized Map<String, List<StoredItem>> items() {
        Map<String, List<StoredItem>> out = new LinkedHashMap<>();
        saved.forEach((k, v) -> out.put(k, new ArrayList<>(v.values())));
        return out;
    }

    synchronized int count(String runKey) {
        return saved.getOrDefault(runKey, Map.of()).size();
    }
}
