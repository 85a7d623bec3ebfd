package dev.llmcw.eval.tasks;

import java.nio.file.Path;
import java.util.List;

/** lm-eval output_type loglikelihood: perplexity (exp of minus the mean log-likelihood) and acc (is_greedy). */
public non-sealed interface LoglikelihoodTask extends Task {
    List<TargetItem> load(Path dataDir);

    @Override
    default String dataFingerprint(Path dataDir) {
        return TargetItem.fingerprint(load(dataDir));
    }
}
