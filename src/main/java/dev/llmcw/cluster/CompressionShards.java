package dev.llmcw.cluster;

import dev.llmcw.compress.CompressionMethod;
import dev.llmcw.compress.PartwiseCompression;
import dev.llmcw.compress.TensorGroups;
import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.suite.SuiteMethods;
import dev.llmcw.suite.SuiteSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits one compression into jobs: a calibration job (methods that read calibration statistics, and only when
 * their content-addressed cache is not complete yet; one for every setting that reads the same statistics),
 * then an array of part jobs, each compressing whole consecutive layers ({@link TensorGroups}) after it, then
 * the compression unit itself, which now only assembles the parts (and is what the evaluations wait for). A
 * method that cannot be split, or a count of 1, leaves the compression one job, as before.
 */
final class CompressionShards {
    private final int shards;
    private final Path baseDir, hessianCache, shardDir;
    private final Map<String, Model> models = new HashMap<>();
    /** What the calibration cache names each model by (a SHA-256 of its file: computed once per plan). */
    private final Map<String, String> modelHashes = new HashMap<>();
    /** Calibration units of this plan by id: settings calibrating alike share one. */
    private final Map<String, WorkUnit> calibrations = new LinkedHashMap<>();

    CompressionShards(int shards, Path baseDir, Path hessianCache, Path shardDir) {
        this.shards = shards;
        this.baseDir = baseDir;
        this.hessianCache = hessianCache;
        this.shardDir = shardDir;
    }

    /** The method of a setting as the jobs build it: calibration statistics cached in the workspace. */
    static CompressionMethod method(String method, Map<String, String> params, Path baseDir, Path hessianCache) {
        return SuiteMethods.create(method, SuiteSpec.withoutFinetune(params), baseDir, hessianCache);
    }

    /**
     * The job arrays of {@code compress} in submission order, adding their units to {@code all}; the last
     * array is {@code compress} itself.
     */
    List<ClusterPlanner.JobGroup> plan(WorkUnit compress, List<WorkUnit> all) {
        CompressionMethod m = shards > 1 ? method(compress.method(), compress.params(), baseDir, hessianCache) : null;
        if (!(m instanceof PartwiseCompression pm)) {
            all.add(compress);
            return List.of(new ClusterPlanner.JobGroup(jobName(compress), List.of(compress), List.of()));
        }
        Model model = models.computeIfAbsent(compress.model(), p -> ModelLoader.load(Path.of(p)));
        List<ClusterPlanner.JobGroup> groups = new ArrayList<>();
        List<String> partsAfter = new ArrayList<>();
        Path statistics = pm.sharedInputFolder(
                modelHashes.computeIfAbsent(compress.model(), p -> CalibrationSpec.modelHash(model)));
        // the folder's marker is written last: present, every group is complete (HessianCache.has)
        if (statistics != null && !Files.isRegularFile(statistics.resolve("complete"))) {
            WorkUnit c = WorkUnit.calibrate(
                    compress.model(), compress.label(), compress.method(), compress.params(), statistics);
            if (calibrations.putIfAbsent(c.id(), c) == null) {
                all.add(c);
                groups.add(new ClusterPlanner.JobGroup(jobName(c), List.of(c), List.of()));
            }
            partsAfter.add(c.id());
        }
        int count = TensorGroups.split(pm.partTargets(model), shards).size();
        List<WorkUnit> parts = new ArrayList<>();
        List<WorkUnit> pending = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            WorkUnit p = WorkUnit.compressPart(compress, i, count, shardDir);
            parts.add(p);
            if (!p.done()) pending.add(p);
        }
        all.addAll(parts);
        if (!pending.isEmpty())
            groups.add(new ClusterPlanner.JobGroup(jobName(pending.getFirst()), pending, partsAfter));
        all.add(compress);
        groups.add(new ClusterPlanner.JobGroup(
                jobName(compress),
                List.of(compress),
                pending.stream().map(WorkUnit::id).toList()));
        return groups;
    }

    /**
     * A job's name, also its script's: "wb-" and its first unit's id, so suites sharing a work folder never
     * overwrite each other's scripts, and the kind shows in squeue ("wb-c-…" compression, "wb-h-…" calibration,
     * "wb-p-…" compression parts, "wb-e-…" evaluation).
     */
    static String jobName(WorkUnit first) {
        return "wb-" + first.id();
    }
}
