package dev.llmcw.cluster;

import dev.llmcw.eval.ItemRange;
import dev.llmcw.results.RunSpec;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One piece of a suite that a cluster job does on its own: compress a model with one setting (or calibrate
 * for it, compress one shard of its tensors, assemble the shards), or evaluate one item range of one task. Its output file (a compression report beside the compressed model, or a shard
 * file of per-item records) is written atomically at the very end, so it exists only when the unit finished;
 * that is how the executor tells done from failed, and why a partial output can never be merged. The id is a
 * hash of what the unit does, so a resubmitted or re-planned unit writes to the same file.
 *
 * @param model     the model file the unit reads (for an evaluation: the compressed file once it exists)
 * @param out       compression only: the compressed model file the suite expects ({@code tensorWork} beside it)
 * @param countFrom evaluation only: the uncompressed model, used to count items when planning
 */
public record WorkUnit(
        String id,
        Kind kind,
        String model,
        String label,
        String method,
        Map<String, String> params,
        String out,
        String tensorWork,
        String task,
        RunSpec.Options options,
        int from,
        int to,
        String output) {

    public enum Kind {
        /** A whole compression, or the assembly of its parts once they are all done. */
        COMPRESS,
        EVAL,
        /** The calibration pass of a sharded compression: its statistics into the content-addressed cache. */
        CALIBRATE,
        /** Shard {@code from} of {@code to} of a compression's tensors ({@link dev.llmcw.compress.TensorGroups}). */
        COMPRESS_PART
    }

    /** The file a compression unit writes its report to, beside the compressed model. */
    public static Path compressionReport(Path compressedFile) {
        return compressedFile.resolveSibling(compressedFile.getFileName() + ".report.json");
    }

    static WorkUnit compress(
            String model, String label, String method, Map<String, String> params, Path out, Path tensorWork) {
        String id = "c-" + Hashing.sha256(model + "\n" + out).substring(0, 16);
        return new WorkUnit(
                id,
                Kind.COMPRESS,
                model,
                label,
                method,
                params,
                out.toString(),
                tensorWork.toString(),
                null,
                null,
                0,
                0,
                compressionReport(out).toString());
    }

    /**
     * The calibration pass for the statistics whose cache folder is {@code cacheFolder} (named by their content
     * hash), done once for every setting that reads them; its output is the cache's completeness marker.
     */
    static WorkUnit calibrate(String model, String label, String method, Map<String, String> params, Path cacheFolder) {
        String id = "h-" + Hashing.sha256(model + "\n" + cacheFolder).substring(0, 16);
        return new WorkUnit(
                id,
                Kind.CALIBRATE,
                model,
                label,
                method,
                params,
                null,
                null,
                null,
                null,
                0,
                0,
                cacheFolder.resolve("complete").toString());
    }

    /**
     * The evaluation shards of one task: {@code shardItems} consecutive items each, the last one open-ended (an
     * item count that was estimated low never loses items). The suite planner and the single-model Slurm
     * evaluation cut them here, alike.
     */
    static List<WorkUnit> evalShards(
            String model,
            String label,
            String task,
            RunSpec.Options options,
            long itemCount,
            int shardItems,
            Path shardDir) {
        int shards = (int) Math.max(1, (itemCount + shardItems - 1) / shardItems);
        List<WorkUnit> units = new ArrayList<>(shards);
        for (int i = 0; i < shards; i++) {
            int from = i * shardItems, to = i == shards - 1 ? Integer.MAX_VALUE : from + shardItems;
            units.add(eval(model, label, task, options, new ItemRange(from, to), shardDir));
        }
        return units;
    }

    /** Shard {@code index} of {@code count} of the compression writing {@code out}: its tensors' parts. */
    static WorkUnit compressPart(WorkUnit compression, int index, int count, Path shardDir) {
        String id = "p-"
                + Hashing.sha256(compression.model() + "\n" + compression.out() + "\n" + index + "/" + count)
                        .substring(0, 16);
        return new WorkUnit(
                id,
                Kind.COMPRESS_PART,
                compression.model(),
                compression.label(),
                compression.method(),
                compression.params(),
                compression.out(),
                compression.tensorWork(),
                null,
                null,
                index,
                count,
                // beside the evaluation shards, not among them: the merge imports every file there
                shardDir.resolveSibling("parts").resolve(id + ".json").toString());
    }

    static WorkUnit eval(
            String model, String label, String task, RunSpec.Options options, ItemRange range, Path shardDir) {
        String id = "e-"
                + Hashing.sha256(model + "\n" + task + "\n" + Json.write(options) + "\n" + range.from() + "-"
                                + range.to())
                        .substring(0, 16);
        return new WorkUnit(
                id,
                Kind.EVAL,
                model,
                label,
                null,
                null,
                null,
                null,
                task,
                options,
                range.from(),
                range.to(),
                shardDir.resolve(id + ".json").toString());
    }

    public ItemRange range() {
        return new ItemRange(from, to);
    }

    public boolean done() {
        return Files.isRegularFile(Path.of(output));
    }

    /** Short description for logs: what, on which model, which items. */
    public String describe() {
        return switch (kind) {
            case COMPRESS -> "compress " + label + " " + method + " " + params;
            case CALIBRATE -> "calibrate " + label + " for " + method + " " + params;
            case COMPRESS_PART -> "compress " + label + " " + method + " " + params + " shard " + (from + 1) + "/" + to;
            case EVAL ->
                "eval " + label + " " + Path.of(model).getFileName() + " " + task + " items [" + from + ", "
                        + (to == Integer.MAX_VALUE ? "end" : Integer.toString(to)) + ")";
        };
    }
}
