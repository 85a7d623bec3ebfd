package dev.llmcw.util;

import java.util.Locale;

/**
 * Progress of a job made of parts (a model's tensors) reported as one stage over all parts' units, so a
 * progress bar, rate and ETA describe the whole job rather than restarting at every part. A part may report
 * along the way through {@link #part}'s listener and ends with {@link #finished}; parts an earlier run
 * finished ({@link #resumed}) count as done but not towards the rate. Thread-safe: a part's workers may
 * report concurrently and out of order.
 */
public final class PartsProgress {
    private final ProgressListener out;
    private final String stage, unit;
    private final long total, startNanos = System.nanoTime();
    /** Units of finished parts; units worked in this run (resumed parts excluded); the current part's units reported so far. */
    private long finished, worked, partReported;

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

    /** The listener for the next part, which reports in the job's units: its done counts from that part's start; log lines pass through. */
    public ProgressListener part(String name) {
        return part(name, -1);
    }

    /**
     * The listener for the next part (parts run one after another) of {@code units} job units that reports in
     * units of its own (a tensor of n weights that reports iterations): its done of total is scaled to
     * done·units/total. Log lines pass through.
     */
    public ProgressListener part(String name, long units) {
        long base;
        synchronized (this) {
            base = finished;
            partReported = 0;
        }
        return (s, done, t, m) -> {
            if (done < 0 && t < 0) {
                out.update(s, done, t, m);
                return;
            }
            long inJobUnits = units < 0 ? done : t > 0 ? Math.round((double) units * Math.min(done, t) / t) : 0;
            synchronized (this) {
                if (inJobUnits < partReported) return; // a worker's older, smaller count arriving late
                worked += inJobUnits - partReported;
                partReported = inJobUnits;
            }
            report(base + inJobUnits, name);
        };
    }

    /** Marks the current part, of {@code units}, finished: worked in this run, whether or not it reported along the way. */
    public void finished(long units, String name) {
        long now;
        synchronized (this) {
            worked += Math.max(0, units - partReported);
            partReported = 0;
            finished += units;
            now = finished;
        }
        report(now, name);
    }

    /** Counts a part of {@code units} that an earlier run finished (done, but not towards the rate). */
    public void resumed(long units, String name) {
        long now;
        synchronized (this) {
            finished += units;
            now = finished;
        }
        report(now, name + " (resumed)");
    }

    private void report(long done, String name) {
        long units;
        synchronized (this) {
            units = worked;
        }
        double rate = units / Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        String speed = units == 0
                ? ""
                : String.format(Locale.ROOT, " · %,.0f %s/s, ETA %.0f s", rate, unit, (total - done) / rate);
        out.update(stage, done, total, name + speed);
    }
}
