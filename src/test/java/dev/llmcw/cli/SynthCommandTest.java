package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.model.hf.HfFolderLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesCustomSizedSyntheticFolder() {
        Path out = tmp.resolve("custom");
        int rc = Cli.execute(
                "synth",
                "--dim",
                "32",
                "--hidden",
                "40",
                "--layers",
                "3",
                "--heads",
                "4",
                "--kv-heads",
                "2",
                "--vocab",
                "300",
                "--dtype",
                "f16",
                "--seed",
                "5",
                "--out",
                out.toString());
        assertThat(rc).isZero();
        var m = HfFolderLoader.loadWithoutTokenizer(out);
        var c = m.config();
        assertThat(new int[] {c.dim(), c.hiddenDim(), c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), c.vocabSize()
                })
                .containsExactly(32, 40, 3, 4, 2, 8, 300);
        assertThat(m.label()).contains("SYNTHETIC");
        assertThat(m.tensor("model.embed_tokens.weight").dtype().name()).isEqualTo("F16");
    }

    @Test
    void rejectsBadArguments() {
        assertThat(Cli.execute(
                        "synth", "--preset", "nope", "--out", tmp.resolve("x").toString()))
                .isNotZero();
        assertThat(Cli.execute(
                        "synth",
                        "--preset",
                        "tiny",
                        "--dtype",
                        "q4",
                        "--out",
                        tmp.resolve("y").toString()))
                .isNotZero();
        assertThat(Cli.execute(
                        "synth",
                        "--dim",
                        "30",
                        "--heads",
                        "4",
                        "--out",
                        tmp.resolve("z").toString()))
                .isNotZero();
    }
}
