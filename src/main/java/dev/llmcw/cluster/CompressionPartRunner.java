package dev.llmcw.cluster;

import dev.llmcw.compress.PartwiseCompression;
import dev.llmcw.compress.TensorGroups;
import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Json;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The jobs of a sharded compression before its assembly: the calibration pass, whose statistics land in the
 * workspace's content-addressed cache ({@link ClusterPlan#hessianCache}), and a shard of whole layers, which
 * reads them from there and writes its tensors' part files (each atomically) into the compression's work
 * folder, then a small record of what it did as the unit's output.
 */
final class CompressionPartRunner {
    /**
     * What a finished compression shard leaves: its tensors and the content address of the calibration
     * statistics it read (null for data-free methods), the identity of its inputs beside the setting's.
     */
    record PartRecord(String unit, int shard, int shards, List<String> tensors, String calibration) {}

    private final ClusterPlan plan;
    private final ProgressListener progress;

    CompressionPartRunner(ClusterPlan plan, ProgressListener progress) {
        this.plan = plan;
        this.progress = progress;
    }

    void calibrate(WorkUnit u) throws Exception {
        PartwiseCompression m = method(u);
        Model model = ModelLoader.load(Path.of(u.model()));
        m.prepareShared(model, progress, CancellationToken.none());
        if (!Files.isRegularFile(Path.of(u.output())))
            throw new IllegalStateException(u.describe() + ": the calibration left no complete cache at "
                    + Path.of(u.output()).getParent() + " (the plan and the method disagree on its key)");
    }

    void compressPart(WorkUnit u, Path output) throws Exception {
        PartwiseCompression m = method(u);
        Model model = ModelLoader.load(Path.of(u.model()));
        // never calibrate here: every shard reads the one pass (the local run's numbers come from it)
        if (!m.sharedInputReady(model))
            throw new IllegalStateException(u.describe() + ": the calibration statistics are not in "
                    + plan.hessianCache() + "; their calibration job must finish first");
        List<String> tensors = TensorGroups.shard(m.partTargets(model), u.from(), u.to());
        progress.log(
                u.describe() + ": " + tensors.size() + " tensor(s), " + tensors.getFirst() + " … " + tensors.getLast());
        m.compressParts(model, tensors, Path.of(u.tensorWork()), progress, CancellationToken.none());
        String calibration = m.sharedInputKey(CalibrationSpec.modelHash(model));
        AtomicFiles.writeString(output, Json.write(new PartRecord(u.id(), u.from(), u.to(), tensors, calibration)));
    }

    private PartwiseCompression method(WorkUnit u) {
        if (plan.hessianCache() == null)
            throw new IllegalArgumentException("the cluster plan names no calibration cache for " + u.describe());
        var m = CompressionShards.method(u.method(), u.params(), Path.of(plan.baseDir()), Path.of(plan.hessianCache()));
        if (!(m instanceof PartwiseCompression pm))
            throw new IllegalArgumentException(u.method() + " cannot be compressed in shards (" + u.describe() + ")");
        return pm;
    }
}
