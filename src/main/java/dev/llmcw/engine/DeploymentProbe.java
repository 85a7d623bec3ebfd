package dev.llmcw.engine;

import dev.llmcw.model.Model;
import dev.llmcw.util.Parallel;
import dev.llmcw.util.ProcessStats;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The short, fixed protocol that tells a user how a model runs on this machine: prefill of a prompt as one
 * batch, then decode token by token, timed after a warm-up, median of a few repetitions; and the memory
 * the model needs to do it (its weights as the engine holds them plus the KV cache of the protocol's
 * context). The same protocol for every model, so that the numbers can sit next to accuracy on a chart.
 */
public final class DeploymentProbe {
    public static final int PREFILL = 64, DECODE = 32, REPS = 3;
    /**
     * What was run, stored with every measurement and part of its key. The suffix names how compressed models
     * are loaded since 2026-12-07 (packed where their method runs packed): measurements of the earlier dense
     * loading no longer match and are taken again.
     */
    public static final String PROTOCOL = "prefill " + PREFILL + " + decode " + DECODE + " tokens, median of " + REPS
            + " after 1 warm-up; compressed layers as inference loads them";

    private DeploymentProbe() {}

    /**
     * @param prefillTokS  prompt tokens per second (wall clock), median
     * @param decodeTokS   generated tokens per second (wall clock), median
     * @param weightBytes  the weights as the engine holds them
     * @param kvCacheBytes the KV cache of the protocol's context
     * @param peakRssBytes this process's peak resident set after the run (the JVM and everything else it
     *                     holds included), -1 where not reported
     * @param threads      engine threads
     */
    public record Result(
            double prefillTokS,
            double decodeTokS,
            long weightBytes,
            long kvCacheBytes,
            long peakRssBytes,
            int threads) {
        /** What running the model costs in memory: weights plus KV cache. */
        public long modelBytes() {
            return weightBytes + kvCacheBytes;
        }
    }

    public static Result measure(Model model) {
        int context = PREFILL + DECODE;
        LlamaEngine e = new LlamaEngine(model, Math.max(context, model.config().maxSeqLen()));
        int vocab = e.vocabSize();
        // the content of the prompt does not change the work; a fixed seed keeps runs comparable
        SplittableRandom rnd = new SplittableRandom(20261207);
        int[] prompt = new int[PREFILL];
        for (int i = 0; i < PREFILL; i++) prompt[i] = rnd.nextInt(vocab);
        double[] prefill = new double[REPS], decode = new double[REPS];
        long kvBytes = 0;
        for (int rep = -1; rep < REPS; rep++) { // rep -1: warm-up (JIT), not counted
            KvCache cache = e.newCache(context);
            long t0 = System.nanoTime();
            float[] logits = e.forward(cache, prompt, 0, PREFILL, PREFILL - 1);
            long t1 = System.nanoTime();
            int[] next = {argmax(logits)};
            for (int i = 0; i < DECODE; i++) next[0] = argmax(e.forward(cache, next, 0, 1, 0));
            long t2 = System.nanoTime();
            kvBytes = cache.bytes();
            if (rep >= 0) {
                prefill[rep] = PREFILL / ((t1 - t0) / 1e9);
                decode[rep] = DECODE / ((t2 - t1) / 1e9);
            }
        }
        return new Result(
                median(prefill),
                median(decode),
                e.residentWeightBytes(),
                kvBytes,
                ProcessStats.peakRssBytes(),
                Parallel.threads());
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
