package dev.llmcw.eval;

import dev.llmcw.engine.Scorer;
import dev.llmcw.eval.Evaluator.McPayload;
import dev.llmcw.eval.tasks.McItem;
import dev.llmcw.util.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * lm-eval's loglikelihood multiple choice: each choice is one (context, continuation) request, choices
 * that share a (truncated) context go to the {@link Scorer} in one call (the context is run once). With
 * a base model both models score the item with full next-token distributions, reduced at once to
 * per-token KL(base ‖ model) and top-1 agreement, so no distribution is ever stored.
 */
final class MultipleChoiceScorer implements ItemScorer<McItem, McPayload> {
    private final ScoringModel model, base;
    private final LmEvalRequests enc, baseEnc;
    private final int maxLength;

    /** @param base the fidelity base, or null */
    MultipleChoiceScorer(ScoringModel model, ScoringModel base, boolean bos, int maxLength) {
        this.model = model;
        this.base = base;
        this.enc = new LmEvalRequests(model.tokenizer(), bos);
        this.baseEnc = base == null ? null : new LmEvalRequests(base.tokenizer(), bos);
        this.maxLength = maxLength;
    }

    private record ChoiceScores(double[] ll, boolean[] greedy, int[][] contTokens, float[][][] dist) {
        McPayload payload() {
            return new McPayload(ll, greedy, lengths(contTokens), null, null);
        }
    }

    @Override
    public String id(McItem item) {
        return item.id();
    }

    @Override
    public Class<McPayload> payloadType() {
        return McPayload.class;
    }

    @Override
    public ItemStore.StoredItem stored(McItem item, McPayload p) {
        return new ItemStore.StoredItem(item.id(), item.gold(), Stats.argmax(p.ll()), Json.write(p));
    }

    @Override
    public McPayload scoreBase(McItem item) {
        return scoreItem(item, base, baseEnc, false, new ScoreCounters()).payload();
    }

    @Override
    public Scored<McPayload> score(McItem item, ScoreCounters counters) {
        if (base == null)
            return new Scored<>(scoreItem(item, model, enc, false, counters).payload(), null);
        // Fidelity: both models score the item with full distributions, reduced here to per-token KL and top-1.
        ChoiceScores s = scoreItem(item, model, enc, true, counters);
        ChoiceScores b = scoreItem(item, base, baseEnc, true, new ScoreCounters());
        float[][] kl = new float[s.ll.length][];
        int[] top1 = new int[s.ll.length];
        for (int r = 0; r < s.ll.length; r++) {
            if (!Arrays.equals(s.contTokens[r], b.contTokens[r])) {
                throw new IllegalStateException("item " + item.id()
                        + ": base and evaluated model tokenise differently; fidelity needs one tokenizer");
            }
            kl[r] = new float[s.dist[r].length];
            for (int t = 0; t < s.dist[r].length; t++) {
                kl[r][t] = (float) Fidelity.kl(b.dist[r][t], s.dist[r][t]);
                if (Fidelity.argmax(b.dist[r][t]) == Fidelity.argmax(s.dist[r][t])) top1[r]++;
            }
        }
        return new Scored<>(new McPayload(s.ll, s.greedy, lengths(s.contTokens), kl, top1), b.payload());
    }

    @Override
    public String nonFinite(McPayload p) {
        for (double v : p.ll()) if (!Double.isFinite(v)) return "log-likelihood (" + v + ")";
        if (p.kl() != null) {
            for (float[] row : p.kl()) for (float v : row) if (!Float.isFinite(v)) return "KL divergence (" + v + ")";
        }
        return null;
    }

    private ChoiceScores scoreItem(
            McItem item, ScoringModel m, LmEvalRequests e, boolean wantDist, ScoreCounters counters) {
        int n = item.choiceCount();
        int[][] ctx = new int[n][];
        int[][] cont = new int[n][];
        for (int r = 0; r < n; r++) {
            McItem.Request req = item.requests().get(r);
            LmEvalRequests.Encoded enc = e.encode(req.context(), req.continuation());
            if (enc.context().length == 0 || enc.continuation().length == 0) {
                throw new IllegalStateException("item " + item.id() + " choice " + r + ": empty "
                        + (enc.context().length == 0 ? "context" : "continuation") + " after tokenisation");
            }
            cont[r] = enc.continuation();
            ctx[r] = enc.context();
        }
        double[] ll = new double[n];
        boolean[] greedy = new boolean[n];
        float[][][] dist = wantDist ? new float[n][][] : null;
        // Choices with the same (truncated) context share one scorer call: the context is run once.
        Map<IntArray, List<Integer>> groups = new LinkedHashMap<>();
        for (int r = 0; r < n; r++) {
            if (cont[r].length > maxLength) {
                OverlongScore o = scoreOverlong(m, ctx[r], cont[r], wantDist, counters);
                ll[r] = o.sum();
                greedy[r] = o.greedy();
                if (wantDist) dist[r] = o.distributions();
            } else {
                groups.computeIfAbsent(
                                new IntArray(LmEvalRequests.truncateContext(ctx[r], cont[r].length, maxLength)),
                                k -> new ArrayList<>())
                        .add(r);
            }
        }
        for (var g : groups.entrySet()) {
            int[] context = g.getKey().a();
            List<Integer> members = g.getValue();
            int[][] conts = new int[members.size()][];
            for (int k = 0; k < conts.length; k++) conts[k] = cont[members.get(k)];
            Scorer.ContinuationScore[] scores = m.scorer().score(context, conts, wantDist);
            counters.calls++;
            counters.shared += context.length;
            for (int k = 0; k < conts.length; k++) {
                int r = members.get(k);
                ll[r] = scores[k].sum();
                greedy[r] = scores[k].greedy();
                if (wantDist) dist[r] = scores[k].distributions();
                counters.shared += conts[k].length;
                counters.unshared += context.length + conts[k].length;
            }
        }
        return new ChoiceScores(ll, greedy, cont, dist);
    }

    /**
     * DEVIATION: lm-eval asserts len(continuation) <= max_length and stops the run. A continuation longer
     * than the max length (2 PIQA items with 512-token models) is scored here in pieces of at most
     * maxLength / 2 tokens, each after the tokens before it (left-truncated as usual), and the pieces'
     * log-likelihoods summed; tools/reference/lmeval_ref.py does the same.
     */
    private OverlongScore scoreOverlong(
            ScoringModel m, int[] ctx, int[] cont, boolean wantDist, ScoreCounters counters) {
        int piece = Math.max(1, maxLength / 2);
        double sum = 0;
        boolean g = true;
        List<float[]> rows = new ArrayList<>();
        for (int from = 0; from < cont.length; from += piece) {
            int[] pc = Arrays.copyOfRange(cont, from, Math.min(cont.length, from + piece));
            int[] c = LmEvalRequests.truncateContext(
                    Evaluator.concat(ctx, Arrays.copyOfRange(cont, 0, from)), pc.length, maxLength);
            Scorer.ContinuationScore s = m.scorer().score(c, new int[][] {pc}, wantDist)[0];
            counters.unsharedCall(c.length + pc.length);
            sum += s.sum();
            g &= s.greedy();
            if (wantDist) rows.addAll(Arrays.asList(s.distributions()));
        }
        return new OverlongScore(sum, g, wantDist ? rows.toArray(new float[0][]) : null);
    }

    /** An overlong continuation's pieces together: summed log-likelihood, all greedy, distributions (or null) in order. */
    private record OverlongScore(double sum, boolean greedy, float[][] distributions) {}

    private static int[] lengths(int[][] a) {
        int[] l = new int[a.length];
        for (int i = 0; i < a.length; i++) l[i] = a[i].length;
        return l;
    }

    private record IntArray(int[] a) {
        @Override
        public boolean equals(Object o) {
            return o instanceof IntArray(int[] b) && Arrays.equals(a, b);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(a);
        }
    }

    /** Accuracy so far: the choice of highest log-likelihood is the gold one. */
    @Override
    public RunningMetric<McItem, McPayload> running() {
        return new RunningMetric<>() {
            private int correct;

            @Override
            void count(McItem item, McPayload p) {
                if (Stats.argmax(p.ll()) == item.gold()) correct++;
            }

            @Override
            String value() {
                return "acc " + number((double) correct / items);
            }
        };
    }
}
