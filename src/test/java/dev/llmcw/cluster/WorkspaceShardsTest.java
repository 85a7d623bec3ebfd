package dev.llmcw.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.cli.Cli;
import dev.llmcw.eval.ItemRange;
import dev.llmcw.results.RunSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runs shards}: the shards of a Slurm workspace's plans read from its files, done where the output
 * exists, from any shell and after the submitting process ended; a folder without a plan is refused in one
 * sentence that names it.
 */
class WorkspaceShardsTest {
    @TempDir
    Path dir;

    @Test
    void eachPlannedShardIsDoneExactlyWhenItsOutputExists() throws Exception {
        Path ws = Files.createDirectories(dir.resolve("slurm"));
        List<WorkUnit> units = List.of(
                WorkUnit.eval("m.bin", "m", "piqa", RunSpec.Options.defaults(), new ItemRange(0, 10), ws),
                WorkUnit.eval("m.bin", "m", "piqa", RunSpec.Options.defaults(), new ItemRange(10, 20), ws));
        new ClusterPlan(dir.toString(), dir.toString(), units).write(ws.resolve("plan.json"));
        Files.writeString(Path.of(units.get(1).output()), "{}");

        var shards = WorkspaceShards.read(dir);
        assertThat(shards).extracting(s -> s.items() + " " + s.state()).containsExactly("0–10 PENDING", "10–20 DONE");

        var out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int rc;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            rc = Cli.execute("runs", "shards", ws.toString());
        } finally {
            System.setOut(old);
        }
        assertThat(rc).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("evaluate")
                .contains("m · piqa")
                .contains("not done (no output yet)")
                .contains("1 of 2 shard(s) done");
    }

    @Test
    void aFolderWithoutAPlanIsRefusedByName() {
        assertThatThrownBy(() -> WorkspaceShards.read(dir))
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("no Slurm plan");
    }
}
