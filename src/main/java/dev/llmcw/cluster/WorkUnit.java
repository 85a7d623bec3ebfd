package dev.llmcw.cluster;

import dev.llmcw.eval.ItemRange;
import dev.llmcw.results.RunSpec;
import dev.llmcw.util.Hashing;
import dev.llmcw.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One piece of a suite that a cluster job does on its own: compress a model with one setting, or evaluate
 * one item range of one task. Its output file (a compression report beside the compressed model, or a shard
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
        COMPRESS,
        EVAL
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
        return kind == Kind.COMPRESS
                ? "compress " + label + " " + method + " " + params
                : "eval " + label + " " + Path.of(model).getFileName() + " " + task + " items [" + from + ", "
                        + (to == Integer.MAX_VALUE ? "end" : Integer.toString(to)) + ")";
    }
}
