package dev.llmcw.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAndReplaces() throws Exception {
        Path f = dir.resolve("a.json");
        AtomicFiles.writeString(f, "one");
        AtomicFiles.writeString(f, "two");
        assertThat(f).hasContent("two");
        assertThat(names()).containsExactly("a.json");
    }

    @Test
    void aFailingWriterLeavesTheOldFileAndNoTemporary() throws Exception {
        Path f = dir.resolve("a.csv");
        Files.writeString(f, "old");
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
                    out.write(new byte[100_000]);
                    throw new IOException("No space left on device");
                }))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
                    throw new IllegalStateException("bug");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(f).hasContent("old");
        assertThat(names()).containsExactly("a.csv");
    }

    @Test
    void temporariesOfADeadProcessAreSweptByTheNextWrite() throws Exception {
        Path f = dir.resolve("r.json");
        Files.writeString(dir.resolve(AtomicFiles.temporaryName(f, Long.MAX_VALUE - 1, 1)), "partial");
        Files.writeString(dir.resolve(".unrelated.part"), "someone else's");
        AtomicFiles.writeString(f, "ok");
        assertThat(names()).containsExactly(".unrelated.part", "r.json");
    }

    /**
     * Kills a child JVM that keeps rewriting one file at random moments: every time the file holds a
     * complete generation (the old one or a newer one), never a mix or a short file, and the
     * temporary the killed write left behind is swept by the next write.
     */
    @Test
    void aKilledWriterNeverLeavesAPartialFile() throws Exception {
        Path f = dir.resolve("model.bin");
        int size = 4 << 20;
        byte[] old = new byte[size];
        Files.write(f, old);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Random rnd = new Random(5);
        int killedMidWrite = 0;
        for (int round = 0; round < 5; round++) {
            Process p = new ProcessBuilder(
                            java,
                            "-Xshare:auto",
                            "-XX:TieredStopAtLevel=1",
                            "-cp",
                            System.getProperty("java.class.path"),
                            AtomicWriteChild.class.getName(),
                            f.toString(),
                            Integer.toString(size))
                    .redirectErrorStream(true)
                    .start();
            try (var in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                assertThat(in.readLine()).isEqualTo("started");
                Thread.sleep(rnd.nextInt(400));
                p.destroyForcibly();
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            if (names().size() > 1) killedMidWrite++; // the killed write's temporary is still there
            byte[] now = Files.readAllBytes(f);
            assertThat(now).as("round " + round).hasSize(size);
            for (byte b : now)
                if (b != now[0])
                    throw new AssertionError("round " + round + ": a mix of generations " + now[0] + " and " + b);
        }
        assertThat(killedMidWrite)
                .as("rounds whose kill hit a write in progress")
                .isPositive();
        AtomicFiles.writeString(f, "last");
        assertThat(names()).containsExactly("model.bin");
    }
}
