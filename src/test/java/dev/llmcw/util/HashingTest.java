package dev.llmcw.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class HashingTest {
    @TempDir
    Path tmp;

    @Test
    void hashesAFile() throws Exception {
        Path f = Files.writeString(tmp.resolve("a.txt"), "abc");
        assertThat(Hashing.sha256(f)).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void refusesPipesAndDevicesInsteadOfReadingThemForever() throws Exception {
        Path fifo = tmp.resolve("weights.fifo");
        boolean made;
        try {
            made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
        } catch (IOException e) {
            made = false;
        }
        assumeTrue(made, "mkfifo not available");
        assertThatThrownBy(() -> Hashing.sha256(fifo))
                .hasMessageContaining("weights.fifo")
                .hasMessageContaining("not a regular file");
        assumeTrue(Files.exists(Path.of("/dev/zero")));
        assertThatThrownBy(() -> Hashing.sha256(Path.of("/dev/zero")))
                .hasMessageContaining("/dev/zero")
                .hasMessageContaining("not a regular file");
    }
}
