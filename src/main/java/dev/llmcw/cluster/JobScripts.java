package dev.llmcw.cluster;

import dev.llmcw.results.WorkbenchHome;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.DataPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes the batch script of one job array: the executor's {@code #SBATCH} settings, the preamble, and one
 * line that maps {@code SLURM_ARRAY_TASK_ID} to a unit of the plan and runs it with this workbench
 * ({@code cluster-task}). Resubmitting one task is the same script with {@code --array=<that index>}.
 */
final class JobScripts {
    private JobScripts() {}

    static Path write(
            Path dir, String name, List<WorkUnit> units, Path plan, SuiteSpec.Executor ex, List<String> launcher)
            throws IOException {
        Path logs = dir.resolve("logs");
        var sb = new StringBuilder("#!/bin/bash\n");
        sb.append("#SBATCH --job-name=").append(name).append('\n');
        sb.append("#SBATCH --output=").append(logs).append("/%x-%A_%a.out\n");
        if (ex.partition() != null)
            sb.append("#SBATCH --partition=").append(ex.partition()).append('\n');
        if (ex.account() != null)
            sb.append("#SBATCH --account=").append(ex.account()).append('\n');
        if (ex.time() != null) sb.append("#SBATCH --time=").append(ex.time()).append('\n');
        if (ex.mem() != null) sb.append("#SBATCH --mem=").append(ex.mem()).append('\n');
        if (ex.cpusPerTask() != null)
            sb.append("#SBATCH --cpus-per-task=").append(ex.cpusPerTask()).append('\n');
        // a pre-empted task (or one whose node failed) goes back to the queue under the same task id; the
        // workbench's own resubmission covers the rest (failures, cancels) and clusters where requeue is off
        sb.append(ex.requeueOrDefault() ? "#SBATCH --requeue\n" : "#SBATCH --no-requeue\n");
        for (String flag : ex.sbatch()) sb.append("#SBATCH ").append(flag).append('\n');
        sb.append("set -euo pipefail\n");
        if (ex.preamble() != null && !ex.preamble().isBlank())
            sb.append(ex.preamble().strip()).append('\n');
        // the workspace and data the submitting workbench uses, whatever the node's environment says
        sb.append("export WORKBENCH_HOME=")
                .append(quote(WorkbenchHome.dir().toAbsolutePath().toString()))
                .append('\n');
        if (DataPaths.sharedAvailable())
            sb.append("export WORKBENCH_DATA=")
                    .append(quote(DataPaths.sharedRoot().toString()))
                    .append('\n');
        sb.append("units=(")
                .append(units.stream().map(WorkUnit::id).collect(Collectors.joining(" ")))
                .append(")\n");
        sb.append("unit=\"${units[$SLURM_ARRAY_TASK_ID]}\"\n");
        sb.append("echo \"$(date -Is) $(hostname) unit $unit\"\n");
        sb.append(launcher.stream().map(JobScripts::quote).collect(Collectors.joining(" ")))
                .append(" cluster-task --plan ")
                .append(quote(plan.toString()))
                .append(" --unit \"$unit\"\n");
        Path script = dir.resolve("jobs").resolve(name + ".sh");
        AtomicFiles.writeString(script, sb.toString());
        return script;
    }

    /** Single-quoted for bash. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
