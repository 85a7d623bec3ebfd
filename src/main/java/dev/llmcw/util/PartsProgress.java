package dev.llmcw.util;

import java.util.Locale;
import java.util.function.LongSupplier;

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
    private final long total, startNanos;
    private final LongSupplier nanoTime;
    /** Units of finished parts; units worked in this run (resumed parts excluded); the current part's units reported so far. */
    private long finished, worked, partReported;

    /** Ends the message of a report whose units an earlier run finished, so a rate measured elsewhere can leave them out. */
    public static final String RESUMED = " (resumed)";

    /**
     * @param stage the one stage every update carries ("seed search")
     * @param unit  what is counted, for the rate ("blocks")
     * @param total units over all parts
     */
    public PartsProgress(ProgressListener out, String stage, String unit, long total) {
        this(out, stage, unit, total, System::nanoTime);
    }

    /** As above with the clock the rate is measured on (tests use a fake one). */
    public PartsProgress(ProgressListener out, String stage, String unit, long total, LongSupplier nanoTime) {
        this.out = out;
        this.stage = stage;
        this.unit = unit;
        this.total = total;
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
    }

    public long total() {
        return total;
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
        return new ProgressListener() {
            @Override
            public void update(String s, long done, long t, String m) {
                if (done < 0 && t < 0) {
                    out.update(s, done, t, m);
                    return;
                }
                advance(done, t, true);
            }

            /** A unit an earlier run finished (an item resumed from the store): done, but not towards the rate. */
            @Override
            public void resumed(String s, long done, long t, String m) {
                advance(done, t, false);
            }

            private void advance(long done, long t, boolean work) {
                long inJobUnits = units < 0 ? done : t > 0 ? Math.round((double) units * Math.min(done, t) / t) : 0;
                synchronized (PartsProgress.this) {
                    if (inJobUnits < partReported) return; // a worker's older, smaller count arriving late
                    if (work) worked += inJobUnits - partReported;
                    partReported = inJobUnits;
                }
                report(base + inJobUnits, work ? name : name + RESUMED);
            }
        };
    }

    /** Marks the current part, of {@code units}, finished: worked in this run, whether or not it reported along the way. */
    public void finished(long units, String name) {
        long now;
        synchronized (this) {
            // units the part did not report (as worked or as resumed) were worked in this run
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
        report(now, name + RESUMED);
    }

    private void report(long done, String name) {
        long units;
        synchronized (this) {
            units = worked;
        }
        double rate = units / Math.max(1e-9, (nanoTime.getAsLong() - startNanos) / 1e9);
        String speed = units == 0
                ? ""
                : String.format(Locale.ROOT, " · %,.0f %s/s, ETA %.0f s", rate, unit, (total - done) / rate);
        out.update(stage, done, total, name + speed);
    }
}
