package dev.llmcw.eval;

import dev.llmcw.util.ProgressListener;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Items/s and ETA over the items scored in this run (resumed items are instant and excluded). */
final class Throughput {
    private final String stage;
    private final int total;
    private final long start = System.nanoTime();
    private int done, scored;
    /** Whether the last item counted was resumed from the store rather than scored. */
    private boolean lastResumed;

    Throughput(String stage, int total) {
        this.stage = stage;
        this.total = total;
    }

    void skipped() {
        done++;
        lastResumed = true;
    }

    void scored() {
        done++;
        scored++;
        lastResumed = false;
    }

    double rate() {
        double s = (System.nanoTime() - start) / 1e9;
        return s <= 0 ? 0 : scored / s;
    }

    void report(ProgressListener p) {
        double r = rate();
        String msg = scored == 0
                ? "resumed from store"
                : String.format(Locale.ROOT, "%.1f items/s, ETA %s", r, eta(r <= 0 ? -1 : (total - done) / r));
        if (lastResumed) p.resumed(stage, done, total, msg);
        else p.update(stage, done, total, msg);
    }

    static String eta(double seconds) {
        if (seconds < 0) return "?";
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format("%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }

    Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("items_scored", Integer.toString(scored));
        d.put("seconds", String.format(Locale.ROOT, "%.3f", (System.nanoTime() - start) / 1e9));
        d.put("items_per_s", String.format(Locale.ROOT, "%.2f", rate()));
        return d;
    }
}
