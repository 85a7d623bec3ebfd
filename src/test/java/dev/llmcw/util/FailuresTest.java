package dev.llmcw.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

class FailuresTest {
    @Test
    void outOfMemorySaysWhichFlagToChange() {
        String s = Failures.describe(
                new IllegalStateException("loading /m/model.safetensors", new OutOfMemoryError("Java heap space")));
        assertThat(s)
                .startsWith("Out of memory (loading /m/model.safetensors) (Java heap space) with a heap limit of ")
                .contains("WORKBENCH_JAVA_OPTS=-Xmx")
                .endsWith(".")
                .doesNotContain("\n");
        assertThat(Failures.describe(new OutOfMemoryError("Java heap space")))
                .startsWith("Out of memory (Java heap space)");
    }

    @Test
    void aFullDiskNamesTheFileAndSaysToFreeSpace() {
        var fs = new FileSystemException("/work/out/model.safetensors", null, "No space left on device");
        assertThat(Failures.describe(new UncheckedIOException(fs)))
                .startsWith("No space left on the disk writing /work/out/model.safetensors: free space");
        var plain = new IOException("No space left on device");
        assertThat(Failures.describe(
                        new UncheckedIOException("cannot write /tmp/x.bin: No space left on device", plain)))
                .startsWith("No space left on the disk (cannot write /tmp/x.bin): free space");
    }

    @Test
    void otherFailuresKeepTheirMessage() {
        assertThat(Failures.describe(new RuntimeException(new IllegalArgumentException("bad bits"))))
                .contains("bad bits");
        assertThat(Failures.describe(new IllegalStateException())).isEqualTo("IllegalStateException");
    }
}
