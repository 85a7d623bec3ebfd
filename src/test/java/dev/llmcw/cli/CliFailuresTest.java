package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.util.Logs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Out of memory and a full disk end a command with one sentence on the console; the trace goes to the log file. */
class CliFailuresTest {
    @TempDir
    Path dir;

    @AfterEach
    void resetLogs() {
        Logs.reset();
    }

    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        private final Throwable failure;

        Boom(Throwable failure) {
            this.failure = failure;
        }

        @Override
        public Integer call() throws Exception {
            if (failure instanceof Error e) throw e;
            throw (Exception) failure;
        }
    }

    private String run(Throwable failure) {
        CommandLine cl = Cli.commandLine();
        cl.addSubcommand("boom", new Boom(failure));
        var err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        assertThat(Cli.execute(cl, "boom")).isEqualTo(1);
        return err.toString();
    }

    @Test
    void outOfMemoryIsOneSentenceWithTheHeapFlag() throws Exception {
        Logs.configure(dir.resolve("logs"), "warn");
        String err = run(new OutOfMemoryError("Java heap space"));
        assertThat(err.lines())
                .singleElement()
                .asString()
                .startsWith("error: Out of memory")
                .contains("WORKBENCH_JAVA_OPTS=-Xmx")
                .contains(dir.resolve("logs/workbench.log").toString());
        assertThat(err).doesNotContain("\tat ").doesNotContain("java.lang.OutOfMemoryError");
        String log = Files.readString(dir.resolve("logs/workbench.log"));
        assertThat(log).contains("java.lang.OutOfMemoryError: Java heap space").contains("\tat ");
    }

    @Test
    void aFullDiskIsOneSentenceNamingTheFile() {
        var full = new FileSystemException(
                dir.resolve("out/model.safetensors").toString(), null, "No space left on device");
        String err = run(new UncheckedIOException(new IOException("write failed", full)));
        assertThat(err.lines())
                .singleElement()
                .asString()
                .startsWith("error: No space left on the disk writing " + dir.resolve("out/model.safetensors")
                        + ": free space");
        assertThat(err).doesNotContain("\tat ");
    }
}
