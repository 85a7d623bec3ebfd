package dev.llmcw.results;

import java.util.Locale;

/**
 * A compressed run next to the uncompressed run of the same model, task and protocol, item by item.
 *
 * @param baseRunId       the uncompressed run it is compared with
 * @param metric          the compared metric ("acc")
 * @param baseValue       the base run's value of it
 * @param value           this run's value
 * @param pairedItems     items both runs scored (the paired test uses only these)
 * @param onlyBaseRight   items the base answered correctly and this run did not
 * @param onlyThisRight   items this run answered correctly and the base did not
 * @param flips           items where the two chose different answers (right or wrong)
 */
public record BaseComparison(
        long baseRunId,
        String metric,
        double baseValue,
        double value,
        int pairedItems,
        int onlyBaseRight,
        int onlyThisRight,
        int flips) {

    /** Accuracy retained: this run's value as a fraction of the base's (the SeedLM paper's headline number). */
    public double retained() {
        return baseValue == 0 ? Double.NaN : value / baseValue;
    }

    /** The difference to the base in percentage points (negative: worse). */
    public double deltaPoints() {
        return 100 * (value - baseValue);
    }

    /** Exact McNemar p-value of the difference on the paired items (NaN without paired items). */
    public double pValue() {
        return pairedItems == 0 ? Double.NaN : PairedTest.mcNemar(onlyBaseRight, onlyThisRight);
    }

    public boolean significant() {
        return PairedTest.significant(pValue());
    }

    /** "retained 97.1% · Δ −1.6 pts vs base run 3 · p = 0.42 (not significant)". */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "retained %.1f%% · Δ %+.1f pts vs base run %d · %s",
                100 * retained(),
                deltaPoints(),
                baseRunId,
                PairedTest.describe(pValue()));
    }
}
