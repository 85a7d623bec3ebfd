package dev.llmcw.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The live state of a Slurm suite's shards, and the way back in: the executor's tracker publishes a snapshot
 * whenever a shard changes (from its polling thread), listeners (the GUI's Jobs view) receive it, and a
 * failed shard can be asked to be resubmitted alone, which the tracker does at its next look at the queue.
 * Thread-safe; it knows nothing of any UI toolkit, so listeners move the snapshot to their own thread.
 */
public final class ShardWatch {
    private final List<Consumer<List<ShardStatus>>> listeners = new CopyOnWriteArrayList<>();
    private final Queue<String> resubmits = new ConcurrentLinkedQueue<>();
    private volatile List<ShardStatus> shards = List.of();

    /** Called with every new snapshot, on the tracker's thread. */
    public void addListener(Consumer<List<ShardStatus>> listener) {
        listeners.add(listener);
    }

    /** The latest snapshot (empty before the first submission). */
    public List<ShardStatus> shards() {
        return shards;
    }

    /**
     * Asks the running executor to submit a failed shard again (alone, as {@code --array=<its index>}); a
     * compression takes its evaluations with it. Ignored for a shard that is not failed.
     */
    public void resubmit(String unitId) {
        resubmits.add(unitId);
    }

    synchronized void publish(List<ShardStatus> snapshot) {
        if (snapshot.equals(shards)) return;
        shards = List.copyOf(snapshot);
        for (var l : listeners) l.accept(shards);
    }

    /** The resubmission requests since the last call, oldest first. */
    List<String> takeResubmits() {
        List<String> out = new ArrayList<>();
        String id;
        while ((id = resubmits.poll()) != null) out.add(id);
        return out;
    }
}
