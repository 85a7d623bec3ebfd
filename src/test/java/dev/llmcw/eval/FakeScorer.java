package dev.llmcw.eval;

import dev.llmcw.engine.Scorer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Test double: a deterministic "trigram" language model. The next-token logits depend on the previous
 * two tokens of the (left-truncated) input, so truncation and context are observable; {@code noise}
 * perturbs the logits like a compressed copy of the same model. Records every call.
 */
final class FakeScorer implements Scorer {
    final int vocab;
    final int maxLength;
    final double noise;
    final List<int[]> contexts = Collections.synchronizedList(new ArrayList<>());
    final List<int[][]> continuations = Collections.synchronizedList(new ArrayList<>());

    FakeScorer(int vocab, int maxLength, double noise) {
        this.vocab = vocab;
        this.maxLength = maxLength;
        this.noise = noise;
    }

    /** log-softmax of the logits after tokens (a, b). */
    float[] logProbs(int a, int b) {
        double[] z = new double[vocab];
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            z[v] = 3 * Math.sin(a * 0.37 + b * 1.91 + v * 0.73) + noise * Math.cos(v * 2.3 + a + 3.1 * b);
            max = Math.max(max, z[v]);
        }
        double s = 0;
        for (double x : z) s += Math.exp(x - max);
        double lse = max + Math.log(s);
        float[] out = new float[vocab];
        for (int v = 0; v < vocab; v++) out[v] = (float) (z[v] - lse);
        return out;
    }

    /** Log-likelihood of every token of {@code cont} after {@code ctx}, no truncation (reference). */
    double directLl(int[] ctx, int[] cont) {
        int[] all = concat(ctx, cont);
        double s = 0;
        for (int i = ctx.length; i < all.length; i++) s += logProbs(i >= 2 ? all[i - 2] : 0, all[i - 1])[all[i]];
        return s;
    }

    @Override
    public ContinuationScore[] score(int[] context, int[][] conts, boolean wantDistributions) {
        contexts.add(context.clone());
        continuations.add(conts);
        ContinuationScore[] out = new ContinuationScore[conts.length];
        for (int c = 0; c < conts.length; c++) {
            int[] all = concat(context, conts[c]);
            int from = Math.max(0, all.length - (maxLength + 1));
            int[] inp = Arrays.copyOfRange(all, from, all.length); // (ctx+cont)[-(L+1):]; targets are inp[1:]
            int n = conts[c].length;
            float[] lps = new float[n];
            float[][] dist = wantDistributions ? new float[n][] : null;
            double sum = 0;
            boolean greedy = true;
            for (int t = 0; t < n; t++) {
                int pos = inp.length - n + t; // index of the predicted token within inp
                int a = pos >= 2 ? inp[pos - 2] : 0, b = inp[pos - 1];
                float[] lp = logProbs(a, b);
                lps[t] = lp[inp[pos]];
                sum += lps[t];
                int arg = 0;
                for (int v = 1; v < vocab; v++) if (lp[v] > lp[arg]) arg = v;
                greedy &= arg == inp[pos];
                if (wantDistributions) dist[t] = lp;
            }
            out[c] = new ContinuationScore(lps, sum, greedy, dist);
        }
        return out;
    }

    @Override
    public int maxLength() {
        return maxLength;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
