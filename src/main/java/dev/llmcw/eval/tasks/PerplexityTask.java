package dev.llmcw.eval.tasks;

import java.nio.file.Path;
import java.util.List;

/** A perplexity task scored either as lm-eval's rolling loglikelihood or as the papers' fixed chunks. */
public non-sealed interface PerplexityTask extends Task {
    enum Protocol {
        /**
         * lm-eval loglikelihood_rolling: each document tokenised alone and cut into disjoint windows of
         * the max length, each predicting its tokens with one token of prior context (the first window
         * with the BOS/EOT prefix token); word_perplexity, byte_perplexity, bits_per_byte.
         */
        ROLLING,
        /**
         * GPTQ/SeedLM/CALDERA papers: the whole split joined with "\n\n", tokenised once, cut into
         * non-overlapping chunks of seqlen (= max length) tokens; perplexity = exp(mean token NLL),
         * where the first token of each chunk is not predicted.
         */
        CHUNKED
    }

    Protocol protocol();

    /** ROLLING: the documents; CHUNKED: exactly one document holding the joined text. */
    List<TextDoc> load(Path dataDir);

    @Override
    default String dataFingerprint(Path dataDir) {
        return TextDoc.fingerprint(load(dataDir));
    }
}
