package dev.llmcw.report;

import dev.llmcw.results.BaseComparison;
import dev.llmcw.results.BaseComparisons;
import dev.llmcw.results.DeploymentRecord;
import dev.llmcw.results.Deployments;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunProtocol;
import dev.llmcw.results.RunRecord;
import dev.llmcw.results.RunSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Results-store records as report rows (the one conversion the GUI and the CLI report share). */
public final class RunRows {
    private RunRows() {}

    public static RunRow of(RunRecord r) {
        var metrics = new HashMap<String, Double>();
        for (RunRecord.Metric m : r.metrics()) {
            metrics.put(m.name(), m.value());
            if (m.stderr() != null) metrics.put(m.name() + "_stderr", m.stderr());
        }
        String method = RunSpec.NO_METHOD.equals(r.method()) ? "base" : r.method();
        return new RunRow(
                Long.toString(r.id()),
                r.modelLabel(),
                method,
                r.methodParams(),
                r.bitsPerWeight() == null ? Double.NaN : r.bitsPerWeight(),
                r.totalBytes() == null ? -1 : r.totalBytes(),
                r.task(),
                metrics,
                r.finished() != null ? r.finished().toString() : r.created().toString(),
                new RunRow.Measured(RunProtocol.of(r).label(), r.items() == null ? -1 : r.items(), null));
    }

    /** Rows of stored runs, each compressed run with its comparison against the base run of its protocol. */
    public static List<RunRow> of(ResultsStore store, List<RunRecord> records) {
        Map<Long, BaseComparison> vsBase = BaseComparisons.of(store, records);
        Map<String, DeploymentRecord> deployed = Deployments.onThisMachine(store);
        return records.stream()
                .map(r -> of(r).withVsBase(vsBase.get(r.id()))
                        .withDeployment(
                                r.spec().modelHash() == null
                                        ? null
                                        : deployed.get(r.spec().modelHash())))
                .toList();
    }
}
