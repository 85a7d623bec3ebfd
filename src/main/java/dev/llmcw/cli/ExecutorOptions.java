package dev.llmcw.cli;

import dev.llmcw.suite.SuiteSpec;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --executor} and the {@code --slurm-*} settings (picocli mixin); they override a suite file's {@code executor}. */
final class ExecutorOptions {
    @Option(
            names = "--executor",
            paramLabel = "local|slurm",
            description = "where the work runs: local (this process; default) or slurm (jobs on a Slurm cluster,"
                    + " evaluation sharded by items; see docs/cluster.md)")
    String executor;

    @Option(names = "--slurm-partition", paramLabel = "NAME", description = "sbatch --partition")
    String partition;

    @Option(names = "--slurm-account", paramLabel = "NAME", description = "sbatch --account")
    String account;

    @Option(names = "--slurm-time", paramLabel = "TIME", description = "sbatch --time of every job (e.g. 02:00:00)")
    String time;

    @Option(names = "--slurm-mem", paramLabel = "MEM", description = "sbatch --mem of every job (e.g. 32G)")
    String mem;

    @Option(names = "--slurm-cpus", paramLabel = "N", description = "sbatch --cpus-per-task")
    Integer cpus;

    @Option(
            names = "--slurm-flag",
            paramLabel = "FLAG",
            description = "a further sbatch flag, e.g. --slurm-flag=--qos=normal (repeatable)")
    List<String> flags = new ArrayList<>();

    @Option(
            names = "--slurm-preamble",
            paramLabel = "LINES",
            description = "shell lines every job runs first (module load, container setup)")
    String preamble;

    @Option(
            names = "--slurm-shard-items",
            paramLabel = "N",
            description = "items per evaluation shard (default " + SuiteSpec.Executor.DEFAULT_SHARD_ITEMS + ")")
    Integer shardItems;

    @Option(
            names = "--slurm-retries",
            paramLabel = "N",
            description =
                    "resubmissions of a failed or cancelled task (default " + SuiteSpec.Executor.DEFAULT_RETRIES + ")")
    Integer retries;

    @Option(
            names = "--slurm-compress-shards",
            paramLabel = "N",
            description = "jobs one compression is split into, whole layers each (default "
                    + SuiteSpec.Executor.DEFAULT_COMPRESS_SHARDS
                    + "); GPTQ, CALDERA, AWQ and QuIP# calibrate once first")
    Integer compressShards;

    @Option(
            names = "--slurm-requeue",
            negatable = true,
            description = "sbatch --requeue: Slurm requeues a pre-empted job (default on; --no-slurm-requeue: off)")
    Boolean requeue;

    @Option(
            names = "--slurm-launcher",
            paramLabel = "CMD",
            description = "the command that starts the workbench on the nodes (default: the one running now)")
    String launcher;

    /** The suite file's executor with these options over it. */
    SuiteSpec.Executor over(SuiteSpec.Executor file) {
        var mine = new SuiteSpec.Executor(
                executor != null ? executor : file.type(),
                partition,
                account,
                time,
                mem,
                cpus,
                flags,
                preamble,
                shardItems,
                retries,
                launcher,
                compressShards,
                requeue);
        String problem = mine.problem();
        if (problem != null) throw new IllegalArgumentException(problem.replace("executor.type", "--executor"));
        return file.overriddenBy(mine);
    }
}
