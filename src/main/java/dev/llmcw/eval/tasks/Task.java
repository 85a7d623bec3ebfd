package dev.llmcw.eval.tasks;

import java.nio.file.Path;
import java.util.Map;

/**
 * An evaluation task: lm-eval's name and version (the yaml metadata version, recorded with results and
 * part of the run key) plus how to read its data.
 */
public sealed interface Task permits MultipleChoiceTask, PerplexityTask, LoglikelihoodTask {
    String name();

    String version();

    /** Extra facts to record with results (construction parameters, chance level, data quirks). */
    default Map<String, String> details() {
        return Map.of();
    }

    /** Content hash of the items as the evaluator reads them from {@code dataDir} (part of every run key). */
    String dataFingerprint(Path dataDir);
}
