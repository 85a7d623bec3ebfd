package dev.llmcw.eval;

import dev.llmcw.engine.Scorer;
import dev.llmcw.eval.tasks.TargetItem;
import dev.llmcw.util.Json;
import java.util.Arrays;

/**
 * lm-eval's loglikelihood request for one (context, target) item: the target's summed log-probability
 * and whether every target token is the greedy choice. With a base model both models score the item
 * with full distributions, reduced at once to per-token KL(base ‖ model) and top-1 agreement.
 */
final class LoglikelihoodScorer implements ItemScorer<TargetItem, LoglikelihoodScorer.Payload> {
    /** Stored per item (and per base item). */
    record Payload(double ll, boolean greedy, int tokens, float[] kl, Integer top1) {}

    private record Scores(double ll, boolean greedy, int[] target, float[][] dist) {
        Payload payload() {
            return new Payload(ll, greedy, target.length, null, null);
        }
    }

    private final ScoringModel model, base;
    private final LmEvalRequests enc, baseEnc;
    private final int maxLength;

    /** @param base the fidelity base, or null */
    LoglikelihoodScorer(ScoringModel model, ScoringModel base, boolean bos, int maxLength) {
        this.model = model;
        this.base = base;
        this.enc = new LmEvalRequests(model.tokenizer(), bos);
        this.baseEnc = base == null ? null : new LmEvalRequests(base.tokenizer(), bos);
        this.maxLength = maxLength;
    }

    @Override
    public String id(TargetItem item) {
        return item.id();
    }

    @Override
    public Class<Payload> payloadType() {
        return Payload.class;
    }

    /** chosen = 1 when the target is the greedy continuation (gold is always 1). */
    @Override
    public ItemStore.StoredItem stored(TargetItem item, Payload p) {
        return new ItemStore.StoredItem(item.id(), 1, p.greedy() ? 1 : 0, Json.write(p));
    }

    @Override
    public Payload scoreBase(TargetItem item) {
        return scoreItem(item, base, baseEnc, false, new ScoreCounters()).payload();
    }

    @Override
    public Scored<Payload> score(TargetItem item, ScoreCounters counters) {
        if (base == null)
            return new Scored<>(scoreItem(item, model, enc, false, counters).payload(), null);
        Scores s = scoreItem(item, model, enc, true, counters);
        Scores b = scoreItem(item, base, baseEnc, true, new ScoreCounters());
        if (!Arrays.equals(s.target, b.target)) {
            throw new IllegalStateException("item " + item.id()
                    + ": base and evaluated model tokenise differently; fidelity needs one tokenizer");
        }
        float[] kl = new float[s.dist.length];
        int top1 = 0;
        for (int t = 0; t < kl.length; t++) {
            kl[t] = (float) Fidelity.kl(b.dist[t], s.dist[t]);
            if (Fidelity.argmax(b.dist[t]) == Fidelity.argmax(s.dist[t])) top1++;
        }
        return new Scored<>(new Payload(s.ll, s.greedy, s.target.length, kl, top1), b.payload());
    }

    @Override
    public String nonFinite(Payload p) {
        if (!Double.isFinite(p.ll())) return "log-likelihood (" + p.ll() + ")";
        if (p.kl() != null) for (float v : p.kl()) if (!Float.isFinite(v)) return "KL divergence (" + v + ")";
        return null;
    }

    private Scores scoreItem(
            TargetItem item, ScoringModel m, LmEvalRequests e, boolean wantDist, ScoreCounters counters) {
        LmEvalRequests.Encoded r = e.encode(item.context(), item.target());
        if (r.context().length == 0 || r.continuation().length == 0) {
            throw new IllegalStateException("item " + item.id() + ": empty "
                    + (r.context().length == 0 ? "context" : "target") + " after tokenisation");
        }
        // LAMBADA targets are one word: unlike PIQA's long choices, no target needs splitting (a longer one fails as in
        // lm-eval)
        int[] context = LmEvalRequests.truncateContext(r.context(), r.continuation().length, maxLength);
        Scorer.ContinuationScore s = m.scorer().score(context, new int[][] {r.continuation()}, wantDist)[0];
        counters.unsharedCall(context.length + r.continuation().length);
        return new Scores(s.sum(), s.greedy(), r.continuation(), wantDist ? s.distributions() : null);
    }

    /** Accuracy (the target is the greedy continuation) and perplexity (exp of minus the mean log-likelihood) so far. */
    @Override
    public RunningMetric<TargetItem, Payload> running() {
        return new RunningMetric<>() {
            private int greedy;
            private double ll;

            @Override
            void count(TargetItem item, Payload p) {
                if (p.greedy()) greedy++;
                ll += p.ll();
            }

            @Override
            String value() {
                return "acc " + number((double) greedy / items) + ", perplexity " + number(Math.exp(-ll / items));
            }
        };
    }
}
