package dev.llmcw.eval;

import java.util.Locale;

/**
 * A task's headline metric over the items done so far (running accuracy, running perplexity), for the job
 * log while the task runs. Not thread-safe: the {@link ItemRunner} adds items in item order on one thread.
 */
abstract class RunningMetric<I, P> {
    /** Items counted so far. */
    protected int items;

    /** Counts one finished item (scored or resumed). */
    final void add(I item, P payload) {
        items++;
        count(item, payload);
    }

    abstract void count(I item, P payload);

    /** The metric's value so far ("acc 0.6120"). */
    abstract String value();

    /** "running acc 0.6120 over 500 items". */
    final String describe() {
        return "running " + value() + " over " + items + " items";
    }

    static String number(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
