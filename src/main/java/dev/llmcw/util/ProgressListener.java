package dev.llmcw.util;

/**
 * Progress of long work (compression, calibration, evaluation, download), reported from worker
 * threads. Implementations must be thread-safe and cheap; the GUI marshals to the FX thread itself.
 */
@FunctionalInterface
public interface ProgressListener {
    /**
     * @param stage   what is running, e.g. "seed search model.layers.3.mlp.up_proj.weight"
     * @param done    units finished in this stage
     * @param total   units in this stage (-1 if unknown)
     * @param message optional detail (throughput, ETA), may be empty
     */
    void update(String stage, long done, long total, String message);

    /**
     * Like {@link #update}, for a unit an earlier run finished (an item resumed from the store): done, but not
     * work of this run, so listeners that measure a rate leave it out.
     */
    default void resumed(String stage, long done, long total, String message) {
        update(stage, done, total, message);
    }

    default void log(String line) {
        update(line, -1, -1, "");
    }

    ProgressListener NONE = (s, d, t, m) -> {};
}
