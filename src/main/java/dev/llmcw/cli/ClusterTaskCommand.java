package dev.llmcw.cli;

import dev.llmcw.cluster.ClusterPlan;
import dev.llmcw.cluster.UnitRunner;
import dev.llmcw.suite.TerminalProgress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** What a cluster job runs: one unit of a suite's plan (written by {@code suite --executor slurm}). */
@Command(
        name = "cluster-task",
        hidden = true,
        description = "Run one unit of a cluster plan (what a Slurm job of `suite --executor slurm` runs).")
final class ClusterTaskCommand implements Callable<Integer> {
    @Option(
            names = "--plan",
            required = true,
            paramLabel = "FILE",
            description = "the plan.json of the suite's workspace")
    Path plan;

    @Option(names = "--unit", required = true, paramLabel = "ID", description = "the unit to run")
    String unit;

    @Override
    public Integer call() throws Exception {
        new UnitRunner(ClusterPlan.read(plan), TerminalProgress.stdout()).run(unit);
        return 0;
    }
}
