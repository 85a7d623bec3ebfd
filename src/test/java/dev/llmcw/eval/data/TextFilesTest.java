package dev.llmcw.eval.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextFilesTest {
    @Test
    void crlfLoneCrAndBomReadAsLf(@TempDir Path dir) throws Exception {
        Path windows = dir.resolve("w.txt");
        Files.write(windows, ("\uFEFFOnce upon a time.\r\n\r\nThe end.\rBye.\r\n").getBytes(StandardCharsets.UTF_8));
        assertThat(TextFiles.read(windows)).isEqualTo("Once upon a time.\n\nThe end.\nBye.\n");
    }

    @Test
    void documentTextRejectsAnEmptyOrBlankFileNamingIt(@TempDir Path dir) throws Exception {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "");
        Path blank = dir.resolve("blank.txt");
        Files.writeString(blank, "\uFEFF \r\n\t\r\n");
        assertThatThrownBy(() -> TextFiles.readDocuments(empty))
                .hasMessageContaining("empty.txt")
                .hasMessageContaining("no text");
        assertThatThrownBy(() -> TextFiles.readDocuments(blank))
                .hasMessageContaining("blank.txt")
                .hasMessageContaining("no text");
    }
}
