package dev.llmcw.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.eval.ItemRange;
import dev.llmcw.results.RunSpec;
import dev.llmcw.suite.SuiteSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch script of a job array: the executor's settings as #SBATCH lines, the preamble, index → unit. */
class JobScriptsTest {
    @Test
    void settingsPreambleAndOneUnitPerArrayIndex(@TempDir Path dir) throws Exception {
        var ex = new SuiteSpec.Executor(
                "slurm",
                "cpu",
                "lab",
                "01:00:00",
                "8G",
                4,
                List.of("--qos=low"),
                "module load java/25",
                null,
                null,
                null,
                null,
                null);
        List<WorkUnit> units = List.of(
                WorkUnit.eval("m.bin", "m", "piqa", RunSpec.Options.defaults(), new ItemRange(0, 10), dir),
                WorkUnit.eval("m.bin", "m", "piqa", RunSpec.Options.defaults(), new ItemRange(10, 20), dir));
        Path script = JobScripts.write(
                dir, "wb-x", units, dir.resolve("plan.json"), ex, List.of("/opt/java", "-cp", "a b.jar", "Main"));
        String s = Files.readString(script);
        assertThat(s)
                .startsWith("#!/bin/bash\n")
                .contains("#SBATCH --job-name=wb-x\n")
                .contains("#SBATCH --output=" + dir.resolve("logs") + "/%x-%A_%a.out\n")
                .contains("#SBATCH --partition=cpu\n")
                .contains("#SBATCH --account=lab\n")
                .contains("#SBATCH --time=01:00:00\n")
                .contains("#SBATCH --mem=8G\n")
                .contains("#SBATCH --cpus-per-task=4\n")
                .contains("#SBATCH --qos=low\n")
                .contains("#SBATCH --requeue\n")
                .contains("\nmodule load java/25\n")
                .contains("units=(" + units.get(0).id() + " " + units.get(1).id() + ")\n")
                .contains("unit=\"${units[$SLURM_ARRAY_TASK_ID]}\"\n")
                .contains("'/opt/java' '-cp' 'a b.jar' 'Main' cluster-task --plan '" + dir.resolve("plan.json")
                        + "' --unit \"$unit\"\n");
        // every #SBATCH line comes before the first command, or sbatch ignores it
        assertThat(s.lastIndexOf("#SBATCH")).isLessThan(s.indexOf("set -euo pipefail"));
        assertThat(units.get(0).id()).isNotEqualTo(units.get(1).id());
        assertThat(JobScripts.quote("it's")).isEqualTo("'it'\\''s'");
        var noRequeue = new SuiteSpec.Executor(
                "slurm", null, null, null, null, null, List.of(), null, null, null, null, null, false);
        Path other = JobScripts.write(dir, "wb-y", units, dir.resolve("plan.json"), noRequeue, List.of("wb"));
        assertThat(Files.readString(other)).contains("#SBATCH --no-requeue\n").doesNotContain("#SBATCH --requeue");
    }
}
