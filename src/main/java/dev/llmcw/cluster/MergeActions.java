package dev.llmcw.cluster;

import dev.llmcw.compress.CompressionReport;
import dev.llmcw.eval.ItemStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.StoredRuns;
import dev.llmcw.suite.SuiteActions;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Json;
import dev.llmcw.util.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@link SuiteActions} of a merge: the local suite runner walks the suite again, but a compression is the
 * report its cluster job wrote beside the compressed file, and an evaluation reads the items the shards stored
 * (read-only: an item that no shard produced is an error, never scored here). The metrics are so recomputed
 * from the items exactly as a local run computes them, in the same order. A run whose shards did not all
 * finish is refused with one sentence before anything is read.
 */
final class MergeActions implements SuiteActions {
    private final SuiteActions local;
    private final List<WorkUnit> units;

    /** @param units the plan's units (empty when merging a workspace without a plan) */
    MergeActions(SuiteActions local, List<WorkUnit> units) {
        this.local = local;
        this.units = units;
    }

    @Override
    public String taskVersion(String task) {
        return local.taskVersion(task);
    }

    @Override
    public String dataHash(String task) {
        return local.dataHash(task);
    }

    @Override
    public void checkSetting(String method, Map<String, String> params) {
        local.checkSetting(method, params);
    }

    @Override
    public ModelSize size(Path model) {
        return local.size(model);
    }

    @Override
    public CompressionReport compress(
            Path model,
            String method,
            Map<String, String> params,
            Path out,
            Path workDir,
            ProgressListener progress,
            CancellationToken cancel)
            throws IOException {
        Path report = WorkUnit.compressionReport(out);
        if (!Files.isRegularFile(report) || !Files.isRegularFile(out))
            throw new IllegalStateException(
                    "its cluster job left no finished compression (" + report + " is missing); run the suite again");
        return Json.read(Files.readString(report), CompressionReport.class);
    }

    @Override
    public StoredRuns.Result evaluate(
            Path model,
            String task,
            RunSpec.Options options,
            String runKey,
            ItemStore items,
            ProgressListener progress,
            CancellationToken cancel)
            throws Exception {
        for (WorkUnit u : units) {
            if (u.kind() == WorkUnit.Kind.EVAL
                    && u.task().equals(task)
                    && Path.of(u.model()).equals(model)
                    && u.options().equals(options)
                    && !u.done())
                throw new IllegalStateException("shard " + u.describe() + " did not finish (no " + u.output()
                        + "); run the suite again to resubmit it");
        }
        return local.evaluate(model, task, options, runKey, ItemStore.readOnly(items), progress, cancel);
    }
}
