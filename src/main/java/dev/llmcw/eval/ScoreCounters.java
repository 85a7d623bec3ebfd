package dev.llmcw.eval;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Scorer calls and tokens run, with and without context sharing; one per item, summed by the {@link ItemRunner}. */
final class ScoreCounters {
    long calls, shared, unshared;

    void add(ScoreCounters o) {
        calls += o.calls;
        shared += o.shared;
        unshared += o.unshared;
    }

    /** One call that runs {@code tokens} tokens with nothing shared. */
    void unsharedCall(long tokens) {
        calls++;
        shared += tokens;
        unshared += tokens;
    }

    Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("scorer_calls", Long.toString(calls));
        d.put("tokens_run", Long.toString(shared));
        d.put("tokens_run_without_context_sharing", Long.toString(unshared));
        if (shared > 0) d.put("context_sharing_saving", String.format(Locale.ROOT, "%.3f", (double) unshared / shared));
        return d;
    }
}
