package dev.llmcw.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.util.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2cLoaderTest {
    @Test
    void readsStories260K() {
        Model m = Llama2cLoader.load(TestData.stories260K());
        var c = m.config();
        assertThat(c.dim()).isEqualTo(64);
        assertThat(c.hiddenDim()).isEqualTo(172);
        assertThat(c.nLayers()).isEqualTo(5);
        assertThat(c.nHeads()).isEqualTo(8);
        assertThat(c.nKvHeads()).isEqualTo(4);
        assertThat(c.vocabSize()).isEqualTo(512);
        assertThat(c.tiedEmbeddings()).isTrue();
        assertThat(m.tensor(WeightNames.k(0)).shape()).containsExactly(32, 64);
        assertThat(m.tensor(WeightNames.down(4)).shape()).containsExactly(64, 172);
        assertThat(m.tensors()).doesNotContainKey(WeightNames.LM_HEAD);
    }

    @Test
    void truncatedFileNamesFileAndSizes(@TempDir Path dir) throws Exception {
        byte[] all = Files.readAllBytes(TestData.stories260K());
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, Arrays.copyOf(all, all.length - 100));
        assertThatThrownBy(() -> Llama2cLoader.load(cut))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("cut.bin")
                .hasMessageContaining("does not match the header");
    }

    @Test
    void garbageHeaderIsRejected(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.bin");
        Files.write(bad, new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
            30
        });
        assertThatThrownBy(() -> Llama2cLoader.load(bad))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("bad.bin")
                .hasMessageContaining("implausible");
    }
}
