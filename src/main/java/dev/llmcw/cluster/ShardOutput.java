package dev.llmcw.cluster;

import dev.llmcw.eval.ItemStore;
import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The output of one evaluation shard: its per-item records (the {@link ItemStore.StoredItem}s the store
 * would hold, under the run's item keys; with fidelity also the base's), written atomically by the job at
 * its end. {@code itemCount} repeats how many items the shard scored under {@code runKey}, so a file that
 * was cut short some other way is refused on import rather than merged.
 */
public record ShardOutput(
        String unitId, String runKey, int from, int to, int itemCount, Map<String, List<ItemStore.StoredItem>> items) {

    public void write(Path file) {
        try {
            AtomicFiles.writeString(file, Json.write(this));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write shard output " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a shard file and checks it is whole; one sentence naming the file otherwise. */
    public static ShardOutput read(Path file) {
        ShardOutput s;
        try {
            s = Json.read(Files.readString(file), ShardOutput.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a readable shard output: " + e.getMessage(), e);
        }
        List<ItemStore.StoredItem> own = s.items() == null ? null : s.items().get(s.runKey());
        int found = own == null ? 0 : own.size();
        if (found != s.itemCount())
            throw new IllegalArgumentException(file + ": incomplete shard output: " + found
                    + " items under its run key, " + s.itemCount() + " expected");
        return s;
    }

    /** Stores every item of the shard (insert or replace by run key and item id: importing twice changes nothing). */
    public void importInto(ItemStore store) {
        items.forEach(store::saveAll);
    }
}
