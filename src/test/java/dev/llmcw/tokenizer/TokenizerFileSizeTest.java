package dev.llmcw.tokenizer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.util.ModelLoadException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Tokenizer files are read whole: a corrupt multi-GB one is refused by its size before it is read. */
class TokenizerFileSizeTest {
    @TempDir
    Path tmp;

    /** A sparse file: its size costs no disk and no time, reading it would cost the memory. */
    private Path sparse(String name, long bytes) throws IOException {
        Path p = tmp.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write('{');
            f.setLength(bytes);
        }
        return p;
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aHugeTokenizerJsonIsRefusedNamingFileAndSize() throws Exception {
        Path json = sparse("tokenizer.json", 3L << 30);
        assertThatThrownBy(() -> TokenizerFiles.open(json))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("tokenizer.json")
                .hasMessageContaining("too large")
                .hasMessageContaining(Long.toString(3L << 30));
        Path folder = Files.createDirectories(tmp.resolve("hf"));
        Files.move(json, folder.resolve("tokenizer.json"));
        assertThatThrownBy(() -> TokenizerFiles.open(folder))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("too large");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aHugeLlama2cTokenizerBinIsRefusedNamingFileAndSize() throws Exception {
        Path bin = sparse("tok512.bin", 3L << 30);
        assertThatThrownBy(() -> TokenizerFiles.llama2c(bin, 512))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("tok512.bin")
                .hasMessageContaining("too large");
        assertThatThrownBy(() -> TokenizerFiles.llama2c(bin))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("too large");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void hugeGpt2VocabAndMergesAreRefused() throws Exception {
        Path vocab = sparse("vocab.json", 3L << 30);
        Path merges = Files.writeString(tmp.resolve("merges.txt"), "#version: 0.2\n");
        assertThatThrownBy(() -> TokenizerFiles.gpt2(vocab, merges))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("vocab.json")
                .hasMessageContaining("too large");
    }
}
