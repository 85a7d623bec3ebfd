package dev.llmcw.model.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.model.Llama2cLoader;
import dev.llmcw.model.Model;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.CancellationToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export-hf stopped halfway through the weights leaves the previous export's files whole and no temporaries. */
class HfFolderWriterAtomicTest {
    @TempDir
    Path tmp;

    @Test
    void anExportStoppedMidWeightsLeavesThePreviousExport() throws Exception {
        Model src = Llama2cLoader.load(TestData.stories260K());
        Path dir = tmp.resolve("hf");
        HfFolderWriter.write(src, dir, HfFolderWriter.Options.of(DType.F32));
        byte[] weights = Files.readAllBytes(dir.resolve(HfWeights.SINGLE));
        byte[] config = Files.readAllBytes(dir.resolve(HfConfig.FILE));
        var cancel = new CancellationToken();
        assertThatThrownBy(() -> HfFolderWriter.write(
                        src,
                        dir,
                        HfFolderWriter.Options.of(DType.F16),
                        (stage, done, total, msg) -> {
                            if (done == 3) cancel.cancel();
                        },
                        cancel))
                .isInstanceOf(CancellationToken.CancelledException.class);
        assertThat(dir.resolve(HfWeights.SINGLE)).hasBinaryContent(weights);
        assertThat(dir.resolve(HfConfig.FILE)).hasBinaryContent(config);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
        }
    }
}
