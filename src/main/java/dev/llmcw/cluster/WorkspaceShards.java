package dev.llmcw.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The shards of every plan in a Slurm workspace as its files say — a shard is done when its output file
 * exists — for {@code runs shards}: it needs no tracker, so it answers from any shell on the cluster, also after
 * the submitting process has ended. Live queue states (pending, running, resubmitted) are the tracker's, shown
 * by the submitting process and the Jobs view.
 */
public final class WorkspaceShards {
    private WorkspaceShards() {}

    /**
     * @return every planned shard, DONE where its output exists, else PENDING
     * @param dir the Slurm workspace ({@code <workDir>/slurm}) or the suite's work folder that holds it
     * @throws IllegalArgumentException naming the folder when it holds no plan
     */
    public static List<ShardStatus> read(Path dir) {
        Path ws = Files.isDirectory(dir.resolve("slurm")) ? dir.resolve("slurm") : dir;
        List<Path> plans;
        try (Stream<Path> s = Files.list(ws)) {
            plans = s.filter(p -> {
                        String n = p.getFileName().toString();
                        return n.startsWith("plan") && n.endsWith(".json");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + ws + ": " + e.getMessage(), e);
        }
        if (plans.isEmpty())
            throw new IllegalArgumentException(ws + " holds no Slurm plan (plan*.json): not a Slurm workspace");
        List<ShardStatus> out = new ArrayList<>();
        for (Path plan : plans)
            for (WorkUnit u : ClusterPlan.read(plan).units())
                out.add(ShardStatus.of(u, "", u.done() ? ShardState.DONE : ShardState.PENDING, 0));
        return out;
    }
}
