package dev.llmcw.results;

/**
 * Which runs {@link ResultsStore#listRuns} returns; null fields match everything. {@code model}
 * matches the label, the path or a hash prefix.
 */
public record RunFilter(String model, String method, String task, RunStatus status) {
    public static RunFilter all() {
        return new RunFilter(null, null, null, null);
    }

    public RunFilter withStatus(RunStatus s) {
        return new RunFilter(model, method, task, s);
    }
}
