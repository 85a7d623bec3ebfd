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
 */
public record ClusterPlan(String dataDir, String baseDir, List<WorkUnit> units) {

    public ClusterPlan {
        units = List.copyOf(units);
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
