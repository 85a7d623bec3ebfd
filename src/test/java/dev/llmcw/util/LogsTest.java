package dev.llmcw.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LogsTest {
    @TempDir
    Path dir;

    @AfterEach
    void reset() {
        Logs.reset();
    }

    @Test
    void slf4jGoesToTheWorkspaceLogFileWithTheTrace() throws Exception {
        Logs.configure(dir.resolve("logs"), "off");
        assertThat(Logs.file()).contains(dir.resolve("logs/workbench.log"));
        LoggerFactory.getLogger(LogsTest.class).debug("not at the default level");
        LoggerFactory.getLogger(LogsTest.class)
                .warn("cache {} unreadable", "x.json", new IllegalStateException("boom"));
        String log = Files.readString(dir.resolve("logs/workbench.log"));
        assertThat(log)
                .contains("WARN")
                .contains("LogsTest: cache x.json unreadable")
                .contains("IllegalStateException: boom")
                .contains("\tat ")
                .doesNotContain("not at the default level");
    }

    @Test
    void theConsoleGetsOneLineWithoutTraceAndNothingOfFailuresReportedElsewhere() throws Exception {
        PrintStream old = System.err;
        var console = new ByteArrayOutputStream();
        System.setErr(new PrintStream(console, true));
        try {
            Logs.configure(dir.resolve("logs"), "info");
            LoggerFactory.getLogger(LogsTest.class).warn("disk almost full", new IllegalStateException("boom"));
            FailureLog.of(LogsTest.class).error("eval failed", new IllegalStateException("shown in a dialog"));
        } finally {
            Logs.reset();
            System.setErr(old);
        }
        assertThat(console.toString().strip()).isEqualTo("warning: disk almost full");
        assertThat(Files.readString(dir.resolve("logs/workbench.log")))
                .contains("eval failed")
                .contains("shown in a dialog");
    }

    @Test
    void theFileIsRotatedAtItsSizeCap() throws Exception {
        Path file = dir.resolve("workbench.log");
        var h = new SizeCappedFileHandler(file, 1000, 2, new SimpleFormatter());
        for (int i = 0; i < 200; i++) h.publish(new LogRecord(Level.INFO, "line " + i + " ".repeat(40)));
        h.close();
        assertThat(Files.size(file)).isLessThan(1200);
        assertThat(Files.size(Path.of(file + ".1"))).isBetween(1000L, 1200L);
        assertThat(Path.of(file + ".2")).exists();
        assertThat(Path.of(file + ".3")).doesNotExist();
        assertThat(Files.readString(file) + Files.readString(Path.of(file + ".1")))
                .contains("line 199");
        assertThat(Files.readString(Path.of(file + ".2"))).doesNotContain("line 0 ");
    }

    @Test
    void levelsHaveTheSlf4jNames() {
        assertThat(Logs.level("debug")).isEqualTo(Level.FINE);
        assertThat(Logs.level("WARN")).isEqualTo(Level.WARNING);
    }
}
