package dev.llmcw.cluster;

import dev.llmcw.results.CompressionRecord;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.suite.EvalTaskEvaluator;
import dev.llmcw.suite.SuiteRunner;
import dev.llmcw.suite.SuiteSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Splits a suite into {@link WorkUnit}s the way the local runner would do the work, leaving out what is
 * stored already: one compression unit per (model, setting) without an intact stored compression (with its
 * calibration and part units when compressions are sharded: {@link CompressionShards}), and per
 * task still to evaluate, shards of {@code shardItems} consecutive selected items (the last one open-ended, so
 * an estimated item count never loses items). Units whose output exists from an earlier submission are left
 * out as well, so a suite run again after a crash submits only what is missing.
 */
final class ClusterPlanner {
    /** One job array: its units, and the units whose jobs it waits for (afterok; empty: none). */
    record JobGroup(String name, List<WorkUnit> units, List<String> afterUnits) {
        JobGroup {
            afterUnits = List.copyOf(afterUnits);
        }

        /** Waiting for one unit's job (null: none). */
        JobGroup(String name, List<WorkUnit> units, String afterUnit) {
            this(name, units, afterUnit == null ? List.of() : List.of(afterUnit));
        }
    }

    record Planned(ClusterPlan plan, List<JobGroup> groups) {}

    private final ResultsStore store;
    private final ModelHashes hashes;

    ClusterPlanner(ResultsStore store, ModelHashes hashes) {
        this.store = store;
        this.hashes = hashes;
    }

    /** The workspace's calibration cache of sharded compressions: beside the shard outputs. */
    static Path hessianCache(Path shardDir) {
        return shardDir.resolveSibling("hessians");
    }

    Planned plan(SuiteSpec suite, Path baseDir, Path workDir, Path dataDir, Path shardDir) {
        var evaluator = new EvalTaskEvaluator(dataDir);
        int shardItems = suite.executorOrLocal().shardItemsOrDefault();
        var compressions = new CompressionShards(
                suite.executorOrLocal().compressShardsOrDefault(), baseDir, hessianCache(shardDir), shardDir);
        List<WorkUnit> all = new ArrayList<>();
        List<JobGroup> groups = new ArrayList<>();
        for (SuiteSpec.ModelEntry me : suite.models()) {
            Path model = baseDir.resolve(me.path()).normalize();
            if (!Files.exists(model)) continue; // the merge reports it, as a local run does
            String label = SuiteRunner.label(me, model);
            String modelHash = hashes.hash(model);
            for (SuiteSpec.Setting s : suite.settings()) {
                Path evalModel = model;
                String evalHash = modelHash;
                WorkUnit compress = null;
                if (!s.isBase()) {
                    Optional<CompressionRecord> stored = intactCompression(modelHash, s);
                    if (stored.isPresent()) {
                        evalModel = Path.of(stored.get().filePath());
                        evalHash = stored.get().fileHash();
                    } else {
                        evalModel = SuiteRunner.compressedFile(workDir, label, s);
                        evalHash = null;
                        compress = WorkUnit.compress(
                                model.toString(),
                                label,
                                s.method(),
                                s.params(),
                                evalModel,
                                SuiteRunner.tensorWorkDir(workDir, label, s));
                        if (!compress.done() || !Files.isRegularFile(evalModel))
                            groups.addAll(compressions.plan(compress, all));
                        else compress = null;
                    }
                }
                RunSpec.Options options = suite.runOptions(s, model, modelHash);
                for (String task : suite.tasks()) {
                    if (evalHash != null && finished(evalModel, label, evalHash, s, suite, task, options, evaluator))
                        continue;
                    long count = evaluator.itemCount(model, task, options);
                    List<WorkUnit> units = new ArrayList<>();
                    for (WorkUnit u : WorkUnit.evalShards(
                            evalModel.toString(), label, task, options, count, shardItems, shardDir)) {
                        all.add(u);
                        if (!u.done()) units.add(u);
                    }
                    if (!units.isEmpty())
                        groups.add(new JobGroup(
                                jobName(units.getFirst()), units, compress == null ? null : compress.id()));
                }
            }
        }
        return new Planned(
                new ClusterPlan(
                        dataDir.toString(),
                        baseDir.toString(),
                        all,
                        hessianCache(shardDir).toString()),
                groups);
    }

    private static String jobName(WorkUnit first) {
        return CompressionShards.jobName(first);
    }

    /** The stored compression of this setting if its file is still the one recorded (as the local runner checks). */
    private Optional<CompressionRecord> intactCompression(String modelHash, SuiteSpec.Setting s) {
        return store.findCompression(modelHash, s.method(), s.params())
                .filter(r -> r.fileHash() != null
                        && Files.isRegularFile(Path.of(r.filePath()))
                        && r.fileHash().equals(hashes.hash(Path.of(r.filePath()))));
    }

    private boolean finished(
            Path evalModel,
            String label,
            String evalHash,
            SuiteSpec.Setting s,
            SuiteSpec suite,
            String task,
            RunSpec.Options options,
            EvalTaskEvaluator evaluator) {
        RunSpec spec =
                new RunSpec(evalModel.toString(), label, evalHash, s.method(), s.params(), suite.tasks(), options);
        String key = spec.cacheKey(task, evaluator.taskVersion(task), evaluator.dataHash(task));
        return store.findDone(key, options).isPresent();
    }
}
