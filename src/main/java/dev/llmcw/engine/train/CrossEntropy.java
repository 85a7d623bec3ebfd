package dev.llmcw.engine.train;

import dev.llmcw.util.Parallel;

/** Mean next-token cross-entropy over rows of logits, and its gradient (softmax − one-hot) / rows. */
final class CrossEntropy {
    private CrossEntropy() {}

    /**
     * The mean of −log softmax(logits_t)[target_t] over the rows; when dLogits is not null it receives
     * dLoss/dlogits. Log-sum-exp in double, shifted by the row's maximum.
     */
    static double loss(float[] logits, int[] targets, int rows, int vocab, float[] dLogits) {
        double[] nll = new double[rows];
        Parallel.forRange(0, rows, Math.max(1, 16384 / vocab), t -> {
            int o = t * vocab;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < vocab; j++) max = Math.max(max, logits[o + j]);
            double sum = 0;
            for (int j = 0; j < vocab; j++) sum += Math.exp(logits[o + j] - max);
            double lse = max + Math.log(sum);
            nll[t] = lse - logits[o + targets[t]];
            if (dLogits == null) return;
            for (int j = 0; j < vocab; j++) {
                double p = Math.exp(logits[o + j] - lse);
                dLogits[o + j] = (float) ((j == targets[t] ? p - 1 : p) / rows);
            }
        });
        double total = 0;
        for (double v : nll) total += v;
        return total / rows;
    }
}
