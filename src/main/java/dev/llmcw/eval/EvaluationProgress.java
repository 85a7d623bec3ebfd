package dev.llmcw.eval;

import dev.llmcw.util.PartsProgress;
import dev.llmcw.util.ProgressListener;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One progress over all tasks of an evaluation job, each task weighted by its item count (counted before
 * scoring starts), so the bar never restarts at a task and the ETA comes from the items scored in this job
 * (resumed items count as done, not towards the rate; see {@link PartsProgress}). A finished task adds a log
 * line with its metrics.
 */
public final class EvaluationProgress {
    /** The stage every update of an evaluation job carries. */
    public static final String STAGE = "evaluate";

    private final ProgressListener out;
    private final PartsProgress parts;
    private final Map<String, Long> items;

    /** @param items each task's items in run order (see {@link Evaluator#itemCount}) */
    public EvaluationProgress(ProgressListener out, Map<String, Long> items, LongSupplier nanoTime) {
        this.out = out;
        this.items = new LinkedHashMap<>(items);
        long total = items.values().stream().mapToLong(Long::longValue).sum();
        this.parts = new PartsProgress(out, STAGE, "items", total, nanoTime);
    }

    public EvaluationProgress(ProgressListener out, Map<String, Long> items) {
        this(out, items, System::nanoTime);
    }

    /** The listener the task's {@link Evaluator} reports its items to; its item count is scaled to the task's weight. */
    public ProgressListener task(String task) {
        return parts.part(task, units(task));
    }

    /** The task finished scoring in this job: its remaining units count as done, its metrics go to the log. */
    public void finished(String task, Map<String, Double> metrics) {
        parts.finished(units(task), task);
        out.log(metricsLine(task, metrics));
    }

    /** The task's result was reused from an earlier run: done, not towards the rate; its metrics go to the log. */
    public void reused(String task, Map<String, Double> metrics) {
        parts.resumed(units(task), task);
        out.log(metricsLine(task, metrics) + " (reused)");
    }

    private long units(String task) {
        Long n = items.get(task);
        if (n == null) throw new IllegalArgumentException("task " + task + " is not part of this evaluation job");
        return n;
    }

    /** "piqa: acc 0.6120 ± 0.0114, acc_norm 0.6300 ± 0.0113": each metric with its standard error, if any. */
    public static String metricsLine(String task, Map<String, Double> metrics) {
        var sb = new StringBuilder(task).append(':');
        String sep = " ";
        for (var e : metrics.entrySet()) {
            String name = e.getKey();
            if (name.endsWith("_stderr") || e.getValue() == null) continue;
            sb.append(sep).append(name).append(' ').append(number(e.getValue()));
            Double se = metrics.get(name + "_stderr");
            if (se != null && !se.isNaN()) sb.append(" ± ").append(number(se));
            sep = ", ";
        }
        return sb.toString();
    }

    private static String number(double v) {
        double a = Math.abs(v);
        return a != 0 && (a >= 1e5 || a < 1e-3)
                ? String.format(Locale.ROOT, "%.4g", v)
                : String.format(Locale.ROOT, "%.4f", v);
    }
}
