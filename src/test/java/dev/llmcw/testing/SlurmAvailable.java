package dev.llmcw.testing;

import dev.llmcw.cluster.Slurm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The gate of the {@link SlurmCluster} tests: Slurm's commands on PATH and an idle node, else the test is
 * skipped with the reason, or fails where {@code WORKBENCH_REQUIRE_SLURM} is set (CI).
 */
public final class SlurmAvailable {
    private SlurmAvailable() {}

    public static void require() throws IOException, InterruptedException {
        String why = null;
        if (!Slurm.onPath()) why = "sbatch/squeue not on PATH";
        else {
            String states = command("sinfo", "-h", "-o", "%t");
            if (!states.contains("idle") && !states.contains("mix"))
                why = "no idle Slurm node (sinfo: " + states.strip() + ")";
        }
        if (why == null) return;
        String msg =
                "Slurm integration test needs a Slurm cluster: " + why + "; start one with tools/slurm-local start";
        if (System.getenv("WORKBENCH_REQUIRE_SLURM") != null) Assertions.fail(msg);
        Assumptions.abort(msg);
    }

    /** Runs a command and returns what it printed (stdout and stderr). */
    public static String command(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
