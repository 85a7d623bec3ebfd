package dev.llmcw.cli;

import dev.llmcw.cluster.ShardState;
import dev.llmcw.cluster.ShardStatus;
import dev.llmcw.cluster.WorkspaceShards;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runs shards DIR}: every shard a Slurm suite or evaluation planned, and whether it has finished. */
@Command(
        name = "shards",
        description = {
            "List the shards of a Slurm run (suite or eval --executor slurm) from its workspace: kind, unit, items",
            "and whether its output exists. Live queue states are shown by the submitting command and the Jobs view."
        })
final class RunsShards implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "the Slurm workspace (<work>/slurm) or the work folder holding it")
    Path dir;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<ShardStatus> shards = WorkspaceShards.read(dir);
        String row = "%-13s  %-56s  %-10s  %s%n";
        out.printf(Locale.ROOT, row, "kind", "unit", "items", "state");
        long done = 0;
        for (ShardStatus s : shards) {
            boolean finished = s.state() == ShardState.DONE;
            if (finished) done++;
            out.printf(
                    Locale.ROOT,
                    row,
                    s.kindName(),
                    s.unit(),
                    s.items(),
                    finished ? "done" : "not done (no output yet)");
        }
        out.printf(Locale.ROOT, "%d of %d shard(s) done in %s%n", done, shards.size(), dir);
        return 0;
    }
}
