package dev.llmcw.results;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How a run was measured, apart from which model: the task (and its version), which items (the first
 * N, a seeded random sample of N, or the full split) and the scoring options. Only runs with equal
 * protocols may share a chart series, a table comparison or a paired test; accuracies measured on
 * 100 items and on the full split are different numbers, not two points of one curve.
 *
 * @param selection "first N", "sample N (seed S)" or "full split"
 * @param scoring   scoring options that differ from the defaults (BOS, max length, code path, extra), sorted
 */
public record RunProtocol(String task, String taskVersion, String selection, Map<String, String> scoring) {
    public static final String FULL_SPLIT = "full split";

    public RunProtocol {
        Objects.requireNonNull(task, "task");
        scoring = Map.copyOf(scoring);
    }

    /** The protocol of a stored run. */
    public static RunProtocol of(RunRecord r) {
        RunSpec.Options o = r.spec().options();
        var scoring = new TreeMap<String, String>();
        if (o.bos() != null) scoring.put("bos", o.bos().toString());
        if (o.maxLength() != null) scoring.put("maxLength", o.maxLength().toString());
        if (!"dense".equals(o.codePath())) scoring.put("codePath", o.codePath());
        scoring.putAll(o.extra());
        return new RunProtocol(r.task(), r.taskVersion() == null ? "" : r.taskVersion(), selection(o), scoring);
    }

    /** "first 100", "sample 200 (seed 1234)" or "full split". */
    public static String selection(RunSpec.Options o) {
        if (o.limit() != null) return "first " + o.limit();
        if (o.sample() != null) return "sample " + o.sample() + " (seed " + o.seed() + ")";
        return FULL_SPLIT;
    }

    /** What legends and tooltips show: the items, then any non-default scoring option ("first 100, bos=true"). */
    public String label() {
        var sb = new StringBuilder(selection);
        new TreeMap<>(scoring)
                .forEach((k, v) -> sb.append(", ").append(k).append('=').append(v));
        return sb.toString();
    }
}
