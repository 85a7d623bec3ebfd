package dev.llmcw.cluster;

import dev.llmcw.compress.CompressionReport;
import dev.llmcw.results.StoredRuns;
import dev.llmcw.suite.EvalTaskEvaluator;
import dev.llmcw.suite.SuiteActions;
import dev.llmcw.suite.WorkbenchSuiteActions;
import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Json;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Does one {@link WorkUnit} inside a cluster job (the hidden {@code cluster-task} command): the same
 * compression and evaluation code a local suite runs, with the output written atomically at the end. A unit
 * whose output exists already is not done again (a resubmitted job that finished after all).
 */
public final class UnitRunner {
    private final ClusterPlan plan;
    private final ProgressListener progress;

    public UnitRunner(ClusterPlan plan, ProgressListener progress) {
        this.plan = plan;
        this.progress = progress;
    }

    public void run(String unitId) throws Exception {
        WorkUnit u = plan.unit(unitId);
        Path output = Path.of(u.output());
        if (Files.isRegularFile(output)) {
            progress.log(u.describe() + ": output exists (" + output + "), nothing to do");
            return;
        }
        progress.log(u.describe() + " -> " + output);
        long t0 = System.nanoTime();
        switch (u.kind()) {
            case COMPRESS -> compress(u, output);
            case EVAL -> evaluate(u, output);
            case CALIBRATE -> new CompressionPartRunner(plan, progress).calibrate(u);
            case COMPRESS_PART -> new CompressionPartRunner(plan, progress).compressPart(u, output);
        }
        // the unit's own time (JVM start excluded): what docs/cluster.md's estimates are built from
        progress.log(String.format(Locale.ROOT, "%s: done in %.1f s", u.describe(), (System.nanoTime() - t0) / 1e9));
    }

    private void compress(WorkUnit u, Path output) throws Exception {
        // a sharded compression's assembly: every part's output first, or a shard that failed would be
        // recomputed here (or, were its part file partial, never reach the file: parts are written atomically)
        for (WorkUnit p : plan.partsOf(u.out()))
            if (!p.done())
                throw new IllegalStateException("compression shard " + p.describe() + " did not finish (no "
                        + p.output() + "); its job must run again before the parts are assembled");
        SuiteActions actions = plan.hessianCache() == null
                ? WorkbenchSuiteActions.standard(Path.of(plan.dataDir()), Path.of(plan.baseDir()))
                : new WorkbenchSuiteActions(
                        (m, p) -> CompressionShards.method(m, p, Path.of(plan.baseDir()), Path.of(plan.hessianCache())),
                        new EvalTaskEvaluator(Path.of(plan.dataDir())),
                        Path.of(plan.baseDir()));
        Path out = Path.of(u.out());
        Files.createDirectories(out.getParent());
        CompressionReport report = actions.compress(
                Path.of(u.model()),
                u.method(),
                u.params(),
                out,
                Path.of(u.tensorWork()),
                progress,
                CancellationToken.none());
        // the report last: its presence says the compressed file beside it is whole
        AtomicFiles.writeString(output, Json.write(report));
    }

    private void evaluate(WorkUnit u, Path output) throws Exception {
        var evaluator = new EvalTaskEvaluator(Path.of(plan.dataDir()));
        var items = new RecordingItemStore();
        StoredRuns.Result r = evaluator.evaluate(
                Path.of(u.model()), u.task(), u.options(), u.range(), items, progress, CancellationToken.none());
        new ShardOutput(u.id(), r.itemKey(), u.from(), u.to(), items.count(r.itemKey()), items.items()).write(output);
    }
}
