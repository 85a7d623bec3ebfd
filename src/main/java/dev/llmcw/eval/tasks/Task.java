package dev.llmcw.eval.tasks;

/**
 * An evaluation task: lm-eval's name and version (the yaml metadata version, recorded with results and
 * part of the run key) plus how to read its data.
 */
public sealed interface Task permits MultipleChoiceTask, PerplexityTask {
    String name();

    String version();

    /** Extra facts to record with results (construction parameters, chance level, data quirks). */
    default java.util.Map<String, String> details() { return java.util.Map.of(); }
}
