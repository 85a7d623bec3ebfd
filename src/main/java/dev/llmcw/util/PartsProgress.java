package dev.llmcw.util;

import java.util.Locale;

/**
 * Progress of a job made of parts (a model's tensors) reported as one stage over all parts' units, so a
 * progress bar, rate and ETA describe the whole job rather than restarting at every part. Each part reports
 * through {@link #part}'s listener in its own units (done of its total); parts skipped because an earlier
 * run finished them count as done but not towards the rate. Thread-safe: a part's workers may report
 * concurrently and out of order.
 */
public final class PartsProgress {
    private final ProgressListener out;
    private final String stage, unit;
    private final long total, startNanos = System.nanoTime();
    private long finished, worked;

    /**
     * @param stage the one stage every update carries ("seed search")
     * @param unit  what is counted, for the rate ("blocks")
     * @param total units over all parts
     */
    public PartsProgress(ProgressListener out, String stage, String unit, long total) {
        this.out = out;
        this.stage = stage;
        this.unit = unit;
        this.total = total;
    }

    /** The listener for the next part: its done counts from that part's start; log lines pass through. */
    public ProgressListener part(String name) {
        long base;
        synchronized (this) {
            base = finished;
        }
        long[] last = {0};
        return (s, done, t, m) -> {
            if (done < 0 && t < 0) {
                out.update(s, done, t, m);
                return;
            }
            long now;
            synchronized (this) {
                if (done < last[0]) return; // a worker's older, smaller count arriving late
                worked += done - last[0];
                last[0] = done;
                now = base + done;
            }
            report(now, name);
        };
    }

    /** Marks a part of {@code units} finished: after its listener's work, or at once for a part resumed from disk. */
    public void finished(long units, String name) {
        long now;
        synchronized (this) {
            finished += units;
            now = finished;
        }
        report(now, name);
    }

    private void report(long done, String name) {
        long units;
        synchronized (this) {
            units = worked;
        }
        double rate = units / Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        String speed = units == 0 ? "" : String.format(Locale.ROOT, " · %,.0f %s/s, ETA %.0f s", rate, unit, (total - done) / rate);
        out.update(stage, done, total, name + speed);
    }
}
