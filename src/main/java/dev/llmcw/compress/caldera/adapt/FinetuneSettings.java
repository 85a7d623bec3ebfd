package dev.llmcw.compress.caldera.adapt;

import java.util.Locale;

/**
 * The knobs of one CALDERA fine-tuning run (algorithms.md, "Low-rank adaptation").
 *
 * @param blockLen        tokens per training block (BOS included)
 * @param epochs          passes over the training blocks
 * @param lr              peak learning rate of AdamW
 * @param weightDecay     AdamW's decoupled weight decay λ
 * @param warmupRatio     fraction of the optimizer steps spent warming the learning rate up from 0
 * @param clip            maximum global gradient norm (≤ 0: no clipping)
 * @param gradAccum       training blocks whose gradients are averaged per optimizer step
 * @param seed            seed of the order of the training blocks (a fresh permutation per epoch)
 * @param trainNorms      also train the RMSNorm weights
 * @param cosine          cosine instead of linear decay after the warm-up
 */
public record FinetuneSettings(
        int blockLen,
        int epochs,
        double lr,
        double weightDecay,
        double warmupRatio,
        double clip,
        int gradAccum,
        long seed,
        boolean trainNorms,
        boolean cosine) {
    /** Official scripts: lr 3e-6 for 7B models; stories260K's adapters need a much larger one (docs). */
    public static final FinetuneSettings DEFAULTS =
            new FinetuneSettings(128, 2, 1e-3, 0.001, 0.02, 1.0, 1, 0, false, false);

    public FinetuneSettings {
        if (blockLen < 2) throw new IllegalArgumentException("--block-len must be ≥ 2 tokens: " + blockLen);
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be ≥ 1: " + epochs);
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0: " + lr);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("--weight-decay must be ≥ 0: " + weightDecay);
        if (!(warmupRatio >= 0 && warmupRatio <= 1))
            throw new IllegalArgumentException("--warmup must be a fraction of the steps in [0, 1]: " + warmupRatio);
        if (gradAccum < 1) throw new IllegalArgumentException("--grad-accum must be ≥ 1: " + gradAccum);
    }

    /** One line recorded in the adapted file's parameters, so a stored run's identity includes the settings. */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "AdamW lr %s wd %s, %s decay, warmup %s, clip %s, %d epochs of %d-token blocks, grad accum %d, seed %d%s",
                lr,
                weightDecay,
                cosine ? "cosine" : "linear",
                warmupRatio,
                clip,
                epochs,
                blockLen,
                gradAccum,
                seed,
                trainNorms ? ", RMSNorm weights trained" : "");
    }
}
