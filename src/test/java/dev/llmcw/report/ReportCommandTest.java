package dev.llmcw.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.cli.Cli;
import dev.llmcw.eval.TaskMetrics;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `workbench report` renders runs stored in a results database headless. */
class ReportCommandTest {
    @TempDir
    Path dir;

    private static long run(
            ResultsStore store, String method, Map<String, String> params, double bits, long bytes, double acc) {
        var spec = new RunSpec(
                "/m/" + method + bits,
                "stories260K",
                "hash-" + method + bits,
                method,
                params,
                List.of("piqa"),
                RunSpec.Options.defaults());
        long id = store.saveRun(spec, "piqa", "1.0", bits, bytes);
        store.saveMetrics(id, new TaskMetrics("piqa", "1.0", 100, Map.of("acc", acc, "acc_stderr", 0.05), Map.of()));
        store.updateStatus(id, RunStatus.DONE, null);
        return id;
    }

    @Test
    void reportsSelectedAndAllRuns() throws Exception {
        Path db = dir.resolve("results.db");
        long a, b, c;
        try (var store = ResultsStore.open(db)) {
            a = run(store, RunSpec.NO_METHOD, Map.of(), 32, 1_040_128, 0.55);
            b = run(store, "seedlm", Map.of("C", "8", "P", "3", "K", "16"), 4.03, 198_880, 0.53);
            c = run(store, "rtn", Map.of("bits", "3", "group", "128"), 3.25, 150_000, 0.51);
        }
        Path out = dir.resolve("all");
        assertThat(Cli.execute("report", "--all", "--db", db.toString(), "--out", out.toString()))
                .isZero();
        String md = Files.readString(out.resolve("report.md"));
        assertThat(md)
                .contains("| " + b + " | stories260K | seedlm | C=8 K=16 P=3 | full split | 4.030 |")
                .contains("| retained 96.4% · Δ -2.0 pts vs base run " + a + " · no paired items |")
                .contains("| " + a + " | stories260K | base |")
                .contains("0.5100 ± 0.0500");
        ChartFiles.assertValidPng(out.resolve("charts/piqa-acc-vs-bits.png"), 960);
        ChartFiles.assertValidSvg(out.resolve("charts/piqa-acc-vs-size.svg"));
        assertThat(Files.readString(out.resolve("report.html"))).contains("<td>rtn</td>");

        Path some = dir.resolve("some");
        assertThat(Cli.execute("report", "--runs", a + "," + c, "--db", db.toString(), "--out", some.toString()))
                .isZero();
        assertThat(Files.readAllLines(some.resolve("runs.csv"))).hasSize(3);
        assertThat(Files.readString(some.resolve("report.md"))).doesNotContain("seedlm");

        assertThat(Cli.execute(
                        "report",
                        "--runs",
                        "999",
                        "--db",
                        db.toString(),
                        "--out",
                        dir.resolve("x").toString()))
                .isEqualTo(1);
    }

    @Test
    void figureSizeWritesPaperSizedPngSvgAndPdf() throws Exception {
        Path db = dir.resolve("results.db");
        try (var store = ResultsStore.open(db)) {
            run(store, "seedlm", Map.of("C", "8", "P", "3", "K", "16"), 4.03, 198_880, 0.53);
            run(store, "rtn", Map.of("bits", "3", "group", "128"), 3.25, 150_000, 0.51);
        }
        Path out = dir.resolve("paper");
        assertThat(Cli.execute(
                        "report",
                        "--all",
                        "--db",
                        db.toString(),
                        "--out",
                        out.toString(),
                        "--figure-size",
                        "two-columns"))
                .isZero();
        var png = ImageIO.read(out.resolve("charts/piqa-acc-vs-bits.png").toFile());
        assertThat(png.getWidth()).isEqualTo(2100); // 7 in at 300 DPI
        ChartFiles.assertValidPdf(out.resolve("charts/piqa-acc-vs-bits.pdf"));
        assertThat(Files.readString(out.resolve("charts/piqa-acc-vs-bits.svg"))).contains("width='504");
        assertThat(Cli.execute(
                        "report",
                        "--all",
                        "--db",
                        db.toString(),
                        "--out",
                        dir.resolve("bad").toString(),
                        "--figure-size",
                        "huge"))
                .isEqualTo(1);
    }

    @Test
    void overlaysPaperPointsFromAFile() throws Exception {
        Path db = dir.resolve("results.db");
        try (var store = ResultsStore.open(db)) {
            run(store, "seedlm", Map.of("C", "8", "P", "3", "K", "16"), 4.03, 198_880, 0.53);
        }
        Path points = dir.resolve("paper-points.json");
        ReferencePoints.write(points, List.of(new ReferencePoint("SeedLM paper", "seedlm", "piqa", "acc", 4.0, 0.781)));
        Path out = dir.resolve("with-paper");
        assertThat(Cli.execute(
                        "report",
                        "--all",
                        "--db",
                        db.toString(),
                        "--paper-points",
                        points.toString(),
                        "--out",
                        out.toString()))
                .isZero();
        assertThat(Files.readString(out.resolve("paper-points.csv")))
                .contains("SeedLM paper")
                .contains("0.781");
        assertThat(Files.readString(out.resolve("report.md"))).contains("SeedLM paper");

        assertThat(Cli.execute(
                        "report",
                        "--all",
                        "--db",
                        db.toString(),
                        "--paper-points",
                        dir.resolve("missing.json").toString(),
                        "--out",
                        dir.resolve("y").toString()))
                .isEqualTo(1);
        Files.writeString(dir.resolve("bad.json"), "{not json");
        assertThat(Cli.execute(
                        "report",
                        "--all",
                        "--db",
                        db.toString(),
                        "--paper-points",
                        dir.resolve("bad.json").toString(),
                        "--out",
                        dir.resolve("z").toString()))
                .isEqualTo(1);
    }
}
