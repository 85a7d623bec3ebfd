package dev.llmcw.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports are safe to open (no formula or markup injection) and are replaced whole or not at all. */
class ReportSafetyTest {
    @TempDir
    Path dir;

    private static final String SCRIPT = "<script>alert(1)</script>";
    private static final String JS_LINK = "[click](javascript:alert(1))";

    private static List<RunRow> hostileRows() {
        var rows = new ArrayList<>(ReportFixtures.rows());
        rows.add(new RunRow(
                SCRIPT,
                JS_LINK,
                "=HYPERLINK(\"http://x\")",
                Map.of("tag", "@SUM(A1)"),
                4.0,
                300_000,
                "piqa",
                Map.of("acc", -0.5),
                "",
                RunRow.Measured.UNKNOWN));
        return rows;
    }

    @Test
    void csvCellsThatASpreadsheetWouldRunAreEscapedButNegativeNumbersStayNumbers() {
        String csv = ReportWriter.csv(hostileRows());
        String last = csv.lines().toList().getLast();
        assertThat(last).contains("'=HYPERLINK(").doesNotContain(",=").doesNotContain(",@");
        assertThat(last).contains(",-0.5");
        assertThat(csv.lines()).noneMatch(l -> l.matches(".*(^|,)\"?[=+@\\t\\r].*"));
    }

    @Test
    void markdownEscapesNamesSoNoScriptOrLinkSurvives() {
        String md =
                ReportWriter.markdown(new ReportWriter.Input(SCRIPT, hostileRows(), List.of(), List.of()), List.of());
        assertThat(md)
                .doesNotContain("<script")
                .doesNotContain("[click](")
                .contains("\\[click\\](javascript:alert(1))");
        assertThat(md).contains("&lt;script&gt;");
    }

    @Test
    void htmlEscapesNamesAndQuotes() {
        var rows = new ArrayList<>(hostileRows());
        rows.add(new RunRow(
                "7",
                "a' onmouseover='alert(1)",
                "rtn",
                Map.of(),
                4.0,
                1,
                "piqa",
                Map.of("acc", 0.5),
                "",
                RunRow.Measured.UNKNOWN));
        String html = ReportWriter.html(new ReportWriter.Input(SCRIPT, rows, List.of(), List.of()), List.of());
        assertThat(html)
                .doesNotContain("<script")
                .doesNotContain("' onmouseover='")
                .contains("&lt;script&gt;");
    }

    @Test
    void paperPointsCsvIsEscapedToo() {
        String csv = ReferencePoints.csv(
                List.of(new ReferencePoint("=cmd|' /C calc'!A0", "SeedLM", "piqa", "acc", 4.0, -0.25)));
        assertThat(csv.lines().toList().getLast()).startsWith("'=cmd|").endsWith(",4.0,-0.25");
    }

    @Test
    void aReportThatFailsHalfwayLeavesTheOldReportWhole() throws Exception {
        Path out = dir.resolve("report");
        ReportWriter.write(new ReportWriter.Input("first", ReportFixtures.rows(), List.of(), List.of()), out);
        String oldCsv = Files.readString(out.resolve("runs.csv"));
        String oldMd = Files.readString(out.resolve("report.md"));
        var changed = new ArrayList<>(ReportFixtures.rows());
        changed.add(new RunRow(
                "99", "other", "rtn", Map.of(), 2.0, 1, "piqa", Map.of("acc", 0.4), "", RunRow.Measured.UNKNOWN));
        // the whole new report is written, then the disk fills up before it is published
        assertThatThrownBy(() -> ReportFolder.publish(out, tmp -> {
                    ReportWriter.write(new ReportWriter.Input("second", changed, List.of(), List.of()), tmp);
                    throw new IOException("No space left on device");
                }))
                .isInstanceOf(IOException.class);
        assertThat(Files.readString(out.resolve("runs.csv"))).isEqualTo(oldCsv);
        assertThat(Files.readString(out.resolve("report.md"))).isEqualTo(oldMd);
        try (Stream<Path> siblings = Files.list(dir)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("report");
        }
    }

    @Test
    void aSecondReportReplacesTheFirstWhole() throws Exception {
        Path out = dir.resolve("report");
        ReportWriter.write(
                new ReportWriter.Input(
                        "first",
                        ReportFixtures.rows(),
                        List.of(),
                        List.of(new ReferencePoint("paper", "SeedLM", "piqa", "acc", 4.0, 0.7))),
                out);
        assertThat(out.resolve("paper-points.csv")).exists();
        Files.writeString(out.resolve("notes.txt"), "mine");
        ReportWriter.write(new ReportWriter.Input("second", ReportFixtures.rows(), List.of(), List.of()), out);
        assertThat(Files.readString(out.resolve("report.md"))).startsWith("# second");
        assertThat(out.resolve("paper-points.csv"))
                .as("left over from the first report")
                .doesNotExist();
        assertThat(out.resolve("notes.txt"))
                .as("a file the report does not own is kept")
                .hasContent("mine");
        try (Stream<Path> siblings = Files.list(dir)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("report");
        }
    }
}
