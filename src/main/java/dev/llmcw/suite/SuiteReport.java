package dev.llmcw.suite;

import java.util.List;

/**
 * Outcome of one suite run: how much was done and how much was found already done.
 *
 * @param runIds   ids of the task runs of this suite (done or reused), in sweep order
 * @param failures one line per failed compression or run (the sweep goes on past them)
 */
public record SuiteReport(
        String suite,
        int compressed,
        int compressionsReused,
        int evaluated,
        int runsReused,
        List<Long> runIds,
        List<String> failures) {
    public boolean ok() {
        return failures.isEmpty();
    }
}
