package dev.llmcw.engine;

import dev.llmcw.engine.Scorer.ContinuationScore;
import dev.llmcw.tensor.KernelSpecies;
import dev.llmcw.tensor.VectorKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link LlamaEngine}'s {@link Scorer#score}: how a context and its continuations are scheduled into
 * forward passes (packed as {@link Segments}), and the log-probabilities read from the logits.
 */
final class ContinuationScorer {
    /** Lanes of the float species: {@link Logits#logSumExp}'s scratch holds two vectors. */
    private static final int L = KernelSpecies.F.length();

    private final LlamaEngine engine;

    ContinuationScorer(LlamaEngine engine) {
        this.engine = engine;
    }

    /** Largest number of logit floats one packed scoring pass may produce (bounds its memory). */
    private static final long PACK_LOGITS_BUDGET = 8L << 20;

    private long packLogitsBudget = PACK_LOGITS_BUDGET;

    /** Tests: a smaller budget, so that continuations are spread over several passes. */
    void packLogitsBudget(long floats) {
        packLogitsBudget = floats;
    }

    /**
     * The context and every continuation that fits within the max length go through one forward pass
     * (more when their logits would exceed {@link #PACK_LOGITS_BUDGET}): the continuations are packed
     * as {@link Segments} after the context, each attending to the context and to itself only, at the
     * positions it would have alone. Continuations too long for the max length are run alone with the
     * context cut on the left, as lm-eval does.
     */
    ContinuationScore[] score(int[] context, int[][] continuations, boolean wantDistributions) {
        if (context.length == 0) {
            throw new IllegalArgumentException(
                    "scoring needs a non-empty context (lm-eval uses BOS/EOT as the context of an empty one)");
        }
        ContinuationScore[] out = new ContinuationScore[continuations.length];
        final int v = engine.config().vocabSize(), ctx = context.length, maxLength = engine.maxLength();
        final int packRows = (int) Math.max(1, Math.min(Integer.MAX_VALUE, packLogitsBudget / v));
        List<Integer> fitting = new ArrayList<>();
        for (int ci = 0; ci < continuations.length; ci++) {
            int[] cont = continuations[ci];
            if (cont.length == 0) throw new IllegalArgumentException("continuation " + ci + " is empty");
            if (cont.length > maxLength) {
                throw new IllegalArgumentException(
                        "continuation " + ci + " has " + cont.length + " tokens, more than max length " + maxLength);
            }
            if (ctx + cont.length
                    <= maxLength + 1L) { // long: a declared context of 2^31-1 must not overflow into the cut branch
                fitting.add(ci);
            } else {
                // lm-eval: inp = (ctx + cont)[-(max_len+1):][:-1]; the context is cut on the left
                int keep = maxLength + 1 - cont.length;
                int[] inp = new int[maxLength];
                System.arraycopy(context, ctx - keep, inp, 0, keep);
                System.arraycopy(cont, 0, inp, keep, cont.length - 1);
                KvCache cache = engine.newCache(maxLength);
                float[] all = engine.forward(cache, inp, 0, maxLength, keep - 1);
                out[ci] = scoreRows(all, 0, all, v, cont, wantDistributions);
            }
        }
        if (fitting.isEmpty()) return out;
        int rowsNeeded = ctx;
        for (int ci : fitting) rowsNeeded += continuations[ci].length - 1;
        KvCache cache = engine.newCache(Math.min(rowsNeeded, ctx + packRows));
        float[] ctxLogits = null;
        int next = 0;
        while (next < fitting.size()) {
            // one pass: the context (first pass only) and then as many continuations as the budget allows
            boolean withContext = ctxLogits == null;
            int first = next, rows = withContext ? ctx : 0;
            while (next < fitting.size()) {
                int r = continuations[fitting.get(next)].length - 1;
                if (next > first && rows + r > (withContext ? ctx : 0) + packRows) break;
                rows += r;
                next++;
            }
            int segs = next - first + (withContext ? 1 : 0);
            int[] tokens = new int[rows];
            int[] rowStart = new int[segs + 1], prefixEnd = new int[segs], posStart = new int[segs];
            int at = 0, g = 0;
            if (withContext) {
                System.arraycopy(context, 0, tokens, 0, ctx);
                rowStart[1] = at = ctx;
                g = 1;
            }
            for (int m = first; m < next; m++, g++) {
                int[] cont = continuations[fitting.get(m)];
                System.arraycopy(cont, 0, tokens, at, cont.length - 1);
                prefixEnd[g] = ctx;
                posStart[g] = ctx;
                at += cont.length - 1;
                rowStart[g + 1] = at;
            }
            int logitsFrom = withContext ? ctx - 1 : 0;
            float[] logits = rows == 0
                    ? new float[0]
                    : engine.forward(
                            cache, tokens, 0, rows, logitsFrom, new Segments(rowStart, prefixEnd, posStart), false);
            cache.truncate(ctx);
            // logits row i is chunk row logitsFrom + i; the context's last row predicts every first token
            if (withContext) ctxLogits = Arrays.copyOf(logits, v);
            for (int m = first, gg = withContext ? 1 : 0; m < next; m++, gg++) {
                int ci = fitting.get(m);
                out[ci] = scoreRows(
                        ctxLogits, 0, logits, (rowStart[gg] - logitsFrom) * v, continuations[ci], wantDistributions);
            }
        }
        return out;
    }

    /**
     * Row 0 of the predictions is {@code first} at firstOff (the context's last position), row i > 0 is
     * {@code rest} at restOff + (i - 1) * vocab.
     */
    private ContinuationScore scoreRows(
            float[] first, int firstOff, float[] rest, int restOff, int[] cont, boolean wantDistributions) {
        int v = engine.config().vocabSize();
        float[] lp = new float[cont.length];
        float[][] dists = wantDistributions ? new float[cont.length][] : null;
        float[] lanes = new float[2 * L];
        double sum = 0;
        boolean greedy = true;
        for (int i = 0; i < cont.length; i++) {
            float[] row = i == 0 ? first : rest;
            int off = i == 0 ? firstOff : restOff + (i - 1) * v;
            int tok = cont[i];
            if (tok < 0 || tok >= v)
                throw new IllegalArgumentException("continuation token " + tok + " is outside the vocabulary of " + v);
            float max = VectorKernels.max(row, off, v);
            double lse = Logits.logSumExp(row, off, v, max, lanes);
            double l = row[off + tok] - lse;
            lp[i] = (float) l;
            sum += l;
            // greedy: tok is the argmax (the first index of the maximum), told from the maximum above; a
            // separate argmax pass over the vocabulary was a fifth of this loop's time
            if (greedy && (row[off + tok] != max || Logits.firstIndexOf(row, off, tok, max) != tok)) greedy = false;
            if (dists != null) {
                float[] d = new float[v];
                for (int j = 0; j < v; j++) d[j] = (float) (row[off + j] - lse);
                dists[i] = d;
            }
        }
        return new ContinuationScore(lp, sum, greedy, dists);
    }
}
