package dev.llmcw.cluster;

import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a suite's cluster jobs read: the units to do and where the workbench finds its data. Written once
 * into the shared workspace before anything is submitted; a job names its unit by id.
 *
 * @param dataDir task data folder (the same the submitting workbench uses)
 * @param baseDir folder relative calibration paths resolve against (the suite file's folder)
 * @param hessianCache where sharded compressions cache their calibration statistics, in the workspace (null:
 *     the workbench's own cache)
 */
public record ClusterPlan(String dataDir, String baseDir, List<WorkUnit> units, String hessianCache) {

    public ClusterPlan {
        units = List.copyOf(units);
    }

    /** A plan without sharded compressions (no shared calibration cache). */
    public ClusterPlan(String dataDir, String baseDir, List<WorkUnit> units) {
        this(dataDir, baseDir, units, null);
    }

    /** The parts of the compression writing {@code out}, in shard order (none when it is one job). */
    public List<WorkUnit> partsOf(String out) {
        return units.stream()
                .filter(u -> u.kind() == WorkUnit.Kind.COMPRESS_PART && u.out().equals(out))
                .toList();
    }

    public WorkUnit unit(String id) {
        return units.stream()
                .filter(u -> u.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the cluster plan has no unit " + id));
    }

    public void write(Path file) {
        try {
            AtomicFiles.writeString(file, Json.write(this));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the cluster plan " + file + ": " + e.getMessage(), e);
        }
    }

    public static ClusterPlan read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the cluster plan: " + e.getMessage(), e);
        }
        try {
            return Json.read(text, ClusterPlan.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a cluster plan: " + e.getMessage(), e);
        }
    }
}
