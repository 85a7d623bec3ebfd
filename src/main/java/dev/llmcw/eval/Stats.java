package dev.llmcw.eval;

import java.util.Arrays;

/** The aggregation statistics lm-eval uses (numpy semantics where it matters). */
public final class Stats {
    private Stats() {}

    public static double mean(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }

    /** lm-eval mean_stderr: sample standard deviation (n−1) / √n; NaN for fewer than two values. */
    public static double stderrOfMean(double[] x) {
        int n = x.length;
        if (n < 2) return Double.NaN;
        double m = mean(x);
        double ss = 0;
        for (double v : x) ss += (v - m) * (v - m);
        return Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
    }

    /** numpy.percentile with the default linear interpolation; q in [0, 100]. Sorts a copy. */
    public static double percentile(double[] x, double q) {
        if (x.length == 0) return Double.NaN;
        double[] s = x.clone();
        Arrays.sort(s);
        double pos = q / 100.0 * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    /** numpy.argmax: the first index of the maximum. */
    public static int argmax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
