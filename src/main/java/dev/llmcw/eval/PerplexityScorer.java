package dev.llmcw.eval;

import dev.llmcw.engine.Scorer;
import dev.llmcw.eval.Evaluator.PplPayload;
import dev.llmcw.eval.tasks.TextDoc;
import dev.llmcw.util.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Perplexity items: a document scored with lm-eval's rolling windows, or one fixed chunk of the papers'
 * protocol. The windows' log-likelihoods are summed; with a base model both models also produce
 * distributions (reduced at once to per-token KL and top-1 agreement).
 */
final class PerplexityScorer implements ItemScorer<PerplexityScorer.PplItem, PplPayload> {
    /** Floats of next-token distributions requested from one scorer call when fidelity is on. */
    private static final long DISTRIBUTION_BUDGET = 32L << 20;

    /** A rolling document (chunk null) or a papers' chunk (doc null). */
    record PplItem(String id, TextDoc doc, int[] chunk) {}

    private final ScoringModel model, base;
    private final int maxLength;

    /** @param base the fidelity base, or null */
    PerplexityScorer(ScoringModel model, ScoringModel base, int maxLength) {
        this.model = model;
        this.base = base;
        this.maxLength = maxLength;
    }

    /**
     * The items of a task: one per document (rolling), or the one joined text tokenised once and cut into
     * full chunks of maxLength tokens (chunked; the rest is dropped).
     */
    static List<PplItem> items(
            String task, List<TextDoc> docs, boolean chunked, ScoringModel model, boolean bos, int maxLength) {
        List<PplItem> all = new ArrayList<>();
        if (chunked) {
            if (docs.size() != 1)
                throw new IllegalArgumentException(task + ": the chunked protocol scores one joined text");
            int[] toks = model.tokenizer().encode(docs.getFirst().text());
            if (bos) toks = LmEvalRequests.prepend(model.tokenizer().bosId(), toks);
            int chunks = toks.length / maxLength;
            for (int c = 0; c < chunks; c++)
                all.add(new PplItem("chunk" + c, null, Arrays.copyOfRange(toks, c * maxLength, (c + 1) * maxLength)));
        } else {
            for (TextDoc d : docs) all.add(new PplItem(d.id(), d, null));
        }
        return all;
    }

    @Override
    public String id(PplItem item) {
        return item.id();
    }

    @Override
    public Class<PplPayload> payloadType() {
        return PplPayload.class;
    }

    @Override
    public ItemStore.StoredItem stored(PplItem item, PplPayload p) {
        return new ItemStore.StoredItem(item.id(), -1, -1, Json.write(p));
    }

    @Override
    public Scored<PplPayload> score(PplItem item, ScoreCounters counters) {
        WindowsScore w = scoreWindows(item, windows(item, model), model, base, counters);
        PplPayload p = w.payload();
        return new Scored<>(
                p, base == null ? null : new PplPayload(w.baseLl(), p.tokens(), p.words(), p.bytes(), null, null));
    }

    @Override
    public PplPayload scoreBase(PplItem item) {
        return scoreWindows(item, windows(item, model), base, null, new ScoreCounters())
                .payload();
    }

    @Override
    public String nonFinite(PplPayload p) {
        if (!Double.isFinite(p.ll())) return "log-likelihood (" + p.ll() + ")";
        if (p.kl() != null) for (float v : p.kl()) if (!Float.isFinite(v)) return "KL divergence (" + v + ")";
        return null;
    }

    private record WindowsScore(PplPayload payload, double baseLl) {}

    /** The model inputs of an item; the windows themselves fit the max length, so nothing is truncated. */
    private List<LmEvalRequests.Encoded> windows(PplItem item, ScoringModel m) {
        if (item.chunk() != null) {
            int[] c = item.chunk();
            return List.of(new LmEvalRequests.Encoded(new int[] {c[0]}, Arrays.copyOfRange(c, 1, c.length)));
        }
        // lm-eval ≤ 0.4.9.1 tokenises rolling documents with add_special_tokens=False; the prefix token
        // (BOS, else EOS) starts the first window whatever the BOS switch says.
        int[] toks = m.tokenizer().encode(item.doc().text());
        return LmEvalRequests.rollingWindows(toks, LmEvalRequests.prefixToken(m.tokenizer()), maxLength);
    }

    /**
     * Sums the windows' log-likelihoods. With a base model, both models also produce distributions,
     * requested in pieces of at most {@link #DISTRIBUTION_BUDGET} floats: a piece re-runs its prefix as
     * context, which for a causal model yields the same log-probs as one call.
     */
    private static WindowsScore scoreWindows(
            PplItem item,
            List<LmEvalRequests.Encoded> windows,
            ScoringModel m,
            ScoringModel base,
            ScoreCounters counters) {
        double ll = 0, baseLl = 0;
        long tokens = 0;
        int top1 = 0;
        List<float[]> kls = new ArrayList<>();
        for (LmEvalRequests.Encoded w : windows) {
            if (base == null) {
                Scorer.ContinuationScore s = m.scorer().score(w.context(), new int[][] {w.continuation()}, false)[0];
                counters.unsharedCall(w.context().length + w.continuation().length);
                ll += s.sum();
            } else {
                int piece = (int) Math.max(
                        1,
                        DISTRIBUTION_BUDGET
                                / Math.max(m.scorer().vocabSize(), base.scorer().vocabSize()));
                int[] cont = w.continuation();
                for (int from = 0; from < cont.length; from += piece) {
                    int to = Math.min(cont.length, from + piece);
                    int[] ctx = Evaluator.concat(w.context(), Arrays.copyOfRange(cont, 0, from));
                    int[][] pc = {Arrays.copyOfRange(cont, from, to)};
                    Scorer.ContinuationScore s = m.scorer().score(ctx, pc, true)[0];
                    Scorer.ContinuationScore b = base.scorer().score(ctx, pc, true)[0];
                    counters.unsharedCall(ctx.length + pc[0].length);
                    ll += s.sum();
                    baseLl += b.sum();
                    float[] kl = new float[pc[0].length];
                    for (int t = 0; t < kl.length; t++) {
                        kl[t] = (float) Fidelity.kl(b.distributions()[t], s.distributions()[t]);
                        if (Fidelity.argmax(b.distributions()[t]) == Fidelity.argmax(s.distributions()[t])) top1++;
                    }
                    kls.add(kl);
                }
            }
            tokens += w.continuation().length;
        }
        long words = item.doc() == null ? 0 : item.doc().words();
        long bytes = item.doc() == null ? 0 : item.doc().bytes();
        if (base == null) return new WindowsScore(new PplPayload(ll, tokens, words, bytes, null, null), Double.NaN);
        int total = kls.stream().mapToInt(a -> a.length).sum();
        float[] kl = new float[total];
        int at = 0;
        for (float[] a : kls) {
            System.arraycopy(a, 0, kl, at, a.length);
            at += a.length;
        }
        return new WindowsScore(new PplPayload(ll, tokens, words, bytes, kl, top1), baseLl);
    }

    /** Token perplexity so far: exp of the mean negative log-likelihood per predicted token. */
    @Override
    public RunningMetric<PplItem, PplPayload> running() {
        return new RunningMetric<>() {
            private double ll;
            private long tokens;

            @Override
            void count(PplItem item, PplPayload p) {
                ll += p.ll();
                tokens += p.tokens();
            }

            @Override
            String value() {
                return "perplexity " + number(Math.exp(-ll / tokens));
            }
        };
    }
}
