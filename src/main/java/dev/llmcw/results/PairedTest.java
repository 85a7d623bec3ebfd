package dev.llmcw.results;

import java.util.Locale;

/**
 * Exact tests for comparing runs on the same items: McNemar's test on the items that flipped between
 * two runs, and the binomial test of one run's accuracy against a task's chance level. Both are exact
 * binomial sums (no normal approximation), so they stay right for the handful of flips a 100-item run
 * produces. Checked against {@code tools/reference/mcnemar_exact.py} (exact rational arithmetic).
 */
public final class PairedTest {
    private PairedTest() {}

    /** The level below which a difference is called significant in tables, tooltips and reports. */
    public static final double ALPHA = 0.05;

    /**
     * Exact two-sided McNemar p-value: under "both runs are equally good", each of the
     * {@code onlyFirstRight + onlySecondRight} discordant items is equally likely to go either way.
     */
    public static double mcNemar(int onlyFirstRight, int onlySecondRight) {
        if (onlyFirstRight < 0 || onlySecondRight < 0) throw new IllegalArgumentException("negative flip counts");
        int n = onlyFirstRight + onlySecondRight;
        if (n == 0) return 1.0;
        int k = Math.min(onlyFirstRight, onlySecondRight);
        double[] lf = logFactorials(n);
        double tail = 0;
        for (int i = 0; i <= k; i++) tail += Math.exp(logPmf(lf, i, n, 0.5));
        return Math.min(1.0, 2 * tail);
    }

    /**
     * Two-sided exact binomial test of {@code correct} of {@code n} against success probability
     * {@code chance}: the total probability of the outcomes no more likely than the observed one
     * (scipy.stats.binomtest's rule, with its relative tolerance for ties).
     */
    public static double binomialVsChance(int correct, int n, double chance) {
        if (n <= 0 || correct < 0 || correct > n)
            throw new IllegalArgumentException("need 0 <= correct <= n, n > 0: " + correct + " of " + n);
        if (!(chance > 0 && chance < 1))
            throw new IllegalArgumentException("chance level must lie in (0, 1): " + chance);
        double[] lf = logFactorials(n);
        double observed = logPmf(lf, correct, n, chance);
        double limit = observed + Math.log1p(1e-7);
        double p = 0;
        for (int i = 0; i <= n; i++) {
            double l = logPmf(lf, i, n, chance);
            if (l <= limit) p += Math.exp(l);
        }
        return Math.min(1.0, p);
    }

    /** Whether a p-value says the difference is more than noise. */
    public static boolean significant(double p) {
        return p < ALPHA;
    }

    /** "p = 0.031", "p < 0.001" or "p = 0.42 (not significant)": the mark tables and tooltips show. */
    public static String describe(double p) {
        if (Double.isNaN(p)) return "no paired items";
        String v = p < 0.001 ? "p < 0.001" : String.format(Locale.ROOT, "p = %.3g", p);
        return significant(p) ? v : v + " (not significant)";
    }

    /** log P(X = k) for X ~ Binomial(n, p), from a table of log factorials up to n. */
    private static double logPmf(double[] logFactorials, int k, int n, double p) {
        return logFactorials[n] - logFactorials[k] - logFactorials[n - k] + k * Math.log(p) + (n - k) * Math.log1p(-p);
    }

    /** log 0! … log n!, summed exactly (tasks have at most a few ten thousand items). */
    private static double[] logFactorials(int n) {
        double[] lf = new double[n + 1];
        for (int i = 2; i <= n; i++) lf[i] = lf[i - 1] + Math.log(i);
        return lf;
    }
}
