package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.data.LoopbackServer;
import dev.llmcw.eval.TaskMetrics;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.suite.FakeSuiteActions;
import dev.llmcw.util.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The suite, runs and download commands end to end (fake compression/evaluation, loopback HTTP). */
class ResultsCommandsTest {
    @TempDir
    Path dir;

    record Out(int rc, String out, String err) {}

    static Out run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cl = new CommandLine(new Cli());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(args);
        return new Out(rc, out.toString(), err.toString());
    }

    @Test
    void suiteThenRunsListShowExport() throws Exception {
        Files.writeString(dir.resolve("m.bin"), "weights");
        Path suite = Files.writeString(dir.resolve("s.yaml"), """
                name: cli
                db: results.db
                workDir: work
                models: [{path: m.bin, label: tiny}]
                methods: [{method: none}, {method: rtn, sweep: {bits: [4]}}]
                tasks: [piqa]
                options: {limit: 8}
                """);
        var fake = new FakeSuiteActions();
        var saved = SuiteCommand.actions;
        SuiteCommand.actions = (data, base) -> fake;
        try {
            Out dry = run("suite", suite.toString(), "--dry-run");
            assertThat(dry.rc()).isZero();
            assertThat(dry.out())
                    .contains("1 model(s) x 2 setting(s) x 1 task(s) = 2 runs")
                    .contains("rtn bits=4");
            assertThat(fake.evaluations).isEmpty();

            Out first = run("suite", suite.toString());
            assertThat(first.rc()).as(first.err()).isZero();
            assertThat(first.out()).contains("compressed 1 (reused 0), evaluated 2 run(s) (reused 0), 0 failure(s)");
            Out again = run("suite", suite.toString());
            assertThat(again.out()).contains("compressed 0 (reused 1), evaluated 0 run(s) (reused 2)");
        } finally {
            SuiteCommand.actions = saved;
        }
        String db = dir.resolve("results.db").toString();
        Out list = run("runs", "list", "--db", db);
        assertThat(list.out()).contains("2 run(s)").contains("rtn bits=4").contains("tiny");
        Out filtered = run("runs", "list", "--db", db, "--method", "rtn");
        assertThat(filtered.out()).contains("1 run(s)");
        Out show = run("runs", "show", "--db", db, "1");
        assertThat(show.out())
                .contains("run 1: piqa on tiny (none), done")
                .contains("acc")
                .contains("stored items: 8");

        Path json = dir.resolve("out/results.json");
        Out export = run("runs", "export", "--db", db, "--format", "json", "--out", json.toString());
        assertThat(export.rc()).as(export.err()).isZero();
        assertThat(Json.MAPPER.readTree(json.toFile()).get("configurations")).hasSize(2);
        Out md = run("runs", "export", "--db", db, "--format", "md", "2");
        assertThat(md.out()).startsWith("| run | model |").contains("| 2 | tiny | rtn | bits=4 |");
        Out csv = run("runs", "export", "--db", db, "--format", "csv", "--task", "piqa");
        assertThat(csv.out().lines().count())
                .as("header + one metric (acc with its stderr) per run")
                .isEqualTo(1 + 2);

        Out missing = run("runs", "show", "--db", db, "99");
        assertThat(missing.rc()).isNotZero();
        Out badFormat = run("runs", "export", "--db", db, "--format", "xml");
        assertThat(badFormat.rc()).isNotZero();
        Out delete = run("runs", "delete", "--db", db, "1");
        assertThat(delete.out()).contains("deleted 1 run(s)");
        try (var store = ResultsStore.open(Path.of(db))) {
            assertThat(store.getRun(1)).isEmpty();
        }
    }

    @Test
    void exportOfFailedAndRunningRunsNeedsIds() {
        Path db = dir.resolve("r.db");
        try (var store = ResultsStore.open(db)) {
            long id = store.saveRun(
                    new RunSpec("/m.bin", "m", "h", "none", Map.of(), List.of("piqa"), null), "piqa", "1", null, null);
            store.saveMetrics(id, new TaskMetrics("piqa", "1", 3, Map.of("acc", 0.5), Map.of()));
        }
        assertThat(run("runs", "export", "--db", db.toString(), "--format", "csv")
                        .rc())
                .isNotZero();
        assertThat(run("runs", "export", "--db", db.toString(), "--format", "csv", "1")
                        .out())
                .contains(",running,acc,0.5,");
    }

    @Test
    void downloadModelFromAMirror() throws Exception {
        try (var server = new LoopbackServer()) {
            server.put("/org/tiny/resolve/main/config.json", "{}".getBytes());
            server.put("/org/tiny/resolve/main/model.safetensors", "weights".getBytes());
            Path out = dir.resolve("tiny");
            Out r = run("download", "model", "org/tiny", "--endpoint", server.base(), "--out", out.toString());
            assertThat(r.rc()).as(r.err()).isZero();
            assertThat(out.resolve("model.safetensors")).hasContent("weights");
            assertThat(r.out()).contains("downloaded 2 file(s)");
            Out missing = run(
                    "download",
                    "model",
                    "org/none",
                    "--endpoint",
                    server.base(),
                    "--out",
                    dir.resolve("n").toString());
            assertThat(missing.rc()).isNotZero();
        }
        Out list = run("download", "list");
        assertThat(list.out())
                .contains("smollm2-135m")
                .contains("GATED")
                .contains("piqa")
                .contains("tinystories");
    }
}
