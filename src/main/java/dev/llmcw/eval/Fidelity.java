package dev.llmcw.eval;

/** Per-token comparison of two next-token log-prob distributions (base vs compressed). */
public final class Fidelity {
    private Fidelity() {}

    /** KL(base ‖ other) = Σ_v p_base(v) (log p_base(v) − log p_other(v)), in nats, from log-probs. */
    public static double kl(float[] baseLogProbs, float[] otherLogProbs) {
        double s = 0;
        for (int v = 0; v < baseLogProbs.length; v++) {
            double lb = baseLogProbs[v];
            if (lb == Double.NEGATIVE_INFINITY) continue;
            s += Math.exp(lb) * (lb - otherLogProbs[v]);
        }
        return Math.max(0, s); // tiny negative values are rounding of an exact 0
    }

    public static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
