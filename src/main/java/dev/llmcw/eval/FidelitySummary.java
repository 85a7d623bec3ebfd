package dev.llmcw.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run's fidelity to its base model, summed over items: the per-token KL divergences and top-1 agreement,
 * the mean log-likelihood difference and the flipped items. Every task kind that scores continuations
 * reports these metrics under the same keys, so they are written in one place.
 */
final class FidelitySummary {
    private final List<Double> kls = new ArrayList<>();
    private final List<String> flipped = new ArrayList<>();
    private long agree, tokens, deltas;
    private double deltaSum;

    /** One scored continuation: KL(base‖model) per token and how many tokens agree on the top-1 prediction. */
    void tokens(float[] kl, long top1) {
        for (float k : kl) kls.add((double) k);
        agree += top1;
        tokens += kl.length;
    }

    /** One log-likelihood difference (model − base) counted in delta_ll_mean. */
    void delta(double modelMinusBase) {
        deltaSum += modelMinusBase;
        deltas++;
    }

    void flipped(String itemId) {
        flipped.add(itemId);
    }

    /** kl_mean/median/p99, top1_agreement, flips, delta_ll_mean; details say what was counted ({@code scope}). */
    void writeTo(Map<String, Double> m, Map<String, String> d, String scope) {
        double[] k = kls.stream().mapToDouble(Double::doubleValue).toArray();
        m.put("kl_mean", k.length == 0 ? Double.NaN : Stats.mean(k));
        m.put("kl_median", Stats.percentile(k, 50));
        m.put("kl_p99", Stats.percentile(k, 99));
        m.put("top1_agreement", tokens == 0 ? Double.NaN : (double) agree / tokens);
        m.put("flips", (double) flipped.size());
        m.put("delta_ll_mean", deltas == 0 ? Double.NaN : deltaSum / deltas);
        d.put("fidelity_tokens", Long.toString(tokens));
        d.put("fidelity_scope", scope);
        d.put("flipped_ids", String.join(",", flipped));
    }
}
