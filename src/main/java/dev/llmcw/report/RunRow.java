package dev.llmcw.report;

import dev.llmcw.results.BaseComparison;
import dev.llmcw.results.DeploymentRecord;
import dev.llmcw.results.RunProtocol;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One evaluated setting as charts and reports see it: one task on one (possibly compressed) model.
 * Built from results-store rows (GUI and CLI alike), so reports never depend on where the numbers
 * were computed.
 *
 * @param runId         results-store id of the run
 * @param model         base model label (e.g. "stories260K")
 * @param method        "base" for the uncompressed model, else "seedlm", "caldera", "rtn", "gptq"
 * @param parameters    the method's parameters as recorded with the run (C=8, P=3, K=16, ...)
 * @param bitsPerWeight bits per weight over the compressed tensors (NaN if unknown)
 * @param totalBytes    bytes of the whole model as stored (-1 if unknown)
 * @param task          task name ("piqa", "wikitext2", ...)
 * @param metrics       lm-eval metric names to values ("acc", "acc_stderr", "word_perplexity", "kl_mean", ...)
 * @param createdAt     ISO-8601 time the run finished, may be empty
 * @param measured      how it was measured and how it compares with the base run of the same protocol
 */
public record RunRow(
        String runId,
        String model,
        String method,
        Map<String, String> parameters,
        double bitsPerWeight,
        long totalBytes,
        String task,
        Map<String, Double> metrics,
        String createdAt,
        Measured measured) {
    public RunRow {
        parameters = Map.copyOf(parameters);
        metrics = Map.copyOf(metrics);
        if (createdAt == null) createdAt = "";
        if (measured == null) measured = Measured.UNKNOWN;
    }

    /**
     * How a run was measured and what it is compared with.
     *
     * @param protocol {@link RunProtocol#label}: "first 100", "full split", ...; empty if unknown
     * @param items    how many items were scored (-1 if unknown)
     * @param vsBase   the item-by-item comparison with the uncompressed run of the same protocol, or null
     * @param deployment how the run's model ran on this machine (speed, memory), or null if not measured
     */
    public record Measured(String protocol, int items, BaseComparison vsBase, DeploymentRecord deployment) {
        /** Rows evaluated in this session before they are stored, fixtures. */
        public static final Measured UNKNOWN = new Measured("", -1, null);

        public Measured {
            if (protocol == null) protocol = "";
        }

        public Measured(String protocol, int items, BaseComparison vsBase) {
            this(protocol, items, vsBase, null);
        }
    }

    /** "first 100", "sample 200 (seed 1234)", "full split"; empty if unknown. */
    public String protocol() {
        return measured.protocol();
    }

    /** Items scored, -1 if unknown. */
    public int items() {
        return measured.items();
    }

    /** The comparison with the base run of the same protocol, or null. */
    public BaseComparison vsBase() {
        return measured.vsBase();
    }

    /** The same row with its base comparison. */
    public RunRow withVsBase(BaseComparison c) {
        return new RunRow(
                runId,
                model,
                method,
                parameters,
                bitsPerWeight,
                totalBytes,
                task,
                metrics,
                createdAt,
                new Measured(measured.protocol(), measured.items(), c, measured.deployment()));
    }

    /** The same row with its model's deployment measurement. */
    public RunRow withDeployment(DeploymentRecord d) {
        return new RunRow(
                runId,
                model,
                method,
                parameters,
                bitsPerWeight,
                totalBytes,
                task,
                metrics,
                createdAt,
                new Measured(measured.protocol(), measured.items(), measured.vsBase(), d));
    }

    /** How the run's model ran on this machine, or null if it was not measured. */
    public DeploymentRecord deployment() {
        return measured.deployment();
    }

    /**
     * Accuracy retained, Δ in points and the paired test against the base run of the same protocol
     * ("retained 97.1% · Δ -1.6 pts vs base run 3 · p = 0.42 (not significant)"); empty without one.
     */
    public String vsBaseText() {
        return vsBase() == null ? "" : vsBase().describe();
    }

    /** Metric value or NaN when the run did not record it. */
    public double metric(String name) {
        Double v = metrics.get(name);
        return v == null ? Double.NaN : v;
    }

    /** Parameters as "C=8 P=3 K=16" in a stable order, for tooltips and tables. */
    public String settings() {
        var sorted = new LinkedHashMap<String, String>();
        parameters.keySet().stream().sorted().forEach(k -> sorted.put(k, parameters.get(k)));
        var sb = new StringBuilder();
        sorted.forEach((k, v) ->
                sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }

    /** "seedlm C=8 P=3 K=16" or "base". */
    public String methodWithSettings() {
        String s = settings();
        return s.isEmpty() ? method : method + " " + s;
    }
}
