package dev.llmcw.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.model.hf.HfFolderWriter;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.safetensors.SafetensorsWriter;
import dev.llmcw.model.synthetic.SyntheticModelGenerator;
import dev.llmcw.model.synthetic.SyntheticPresets;
import dev.llmcw.tensor.DType;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Logs;
import dev.llmcw.util.ModelLoadException;
import dev.llmcw.util.ProgressListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void dispatchesFilesAndFolders() throws Exception {
        Model l2c = ModelLoader.load(TestData.stories260K());
        assertThat(l2c.format()).isEqualTo("llama2c");
        // tok512.bin lies beside stories260K.bin and is picked up automatically.
        assertThat(l2c.tokenizer()).isNotNull();
        assertThat(l2c.tokenizer().vocabSize()).isEqualTo(512);
        Path hf = tmp.resolve("hf");
        HfFolderWriter.write(l2c, hf, HfFolderWriter.Options.of(DType.BF16));
        Model m = ModelLoader.load(hf);
        assertThat(m.format()).isEqualTo("hf");
        assertThat(m.config().nLayers()).isEqualTo(5);
        assertThat(m.tokenizer()).isNull(); // the export has no tokenizer.json
        // An explicit tokenizer is attached whatever the model format.
        assertThat(ModelLoader.load(hf, TestData.tok512()).tokenizer().vocabSize())
                .isEqualTo(512);
        Path synth = tmp.resolve("synthetic-tiny");
        SyntheticModelGenerator.generate(
                SyntheticPresets.get("tiny"),
                "tiny",
                DType.F32,
                1,
                synth,
                ProgressListener.NONE,
                CancellationToken.none());
        assertThat(ModelLoader.load(synth).tokenizer().bosId()).isEqualTo(256);
        assertThat(ModelLoader.load(TestData.stories260K(), synth.resolve("tokenizer.json"))
                        .tokenizer()
                        .bosId())
                .isEqualTo(256);
        // A tokenizer larger than the model's vocabulary is refused.
        Path big = tmp.resolve("synthetic-big-vocab");
        SyntheticModelGenerator.generate(
                SyntheticPresets.customize(SyntheticPresets.get("tiny"), null, null, 1, null, null, 600),
                "big",
                DType.F32,
                1,
                big,
                ProgressListener.NONE,
                CancellationToken.none());
        assertThatThrownBy(() -> ModelLoader.load(TestData.stories260K(), big.resolve("tokenizer.json")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("600 tokens")
                .hasMessageContaining("512");
    }

    @Test
    void explainsWhatItCannotOpen() throws Exception {
        assertThatThrownBy(() -> ModelLoader.load(tmp.resolve("nothing")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("nothing")
                .hasMessageContaining("no such file");
        Path emptyDir = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> ModelLoader.load(emptyDir)).hasMessageContaining("no config.json");

        Path gguf = tmp.resolve("m.gguf");
        Files.write(gguf, new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        assertThatThrownBy(() -> ModelLoader.load(gguf))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("m.gguf")
                .hasMessageContaining("truncated");

        Path lone = tmp.resolve("lone.safetensors");
        new SafetensorsWriter()
                .add("w", DType.F32, new long[] {1}, new float[] {1})
                .write(lone);
        assertThatThrownBy(() -> ModelLoader.load(lone))
                .hasMessageContaining("lone.safetensors")
                .hasMessageContaining("no config.json");

        Path compressed = tmp.resolve("c.safetensors");
        new SafetensorsWriter()
                .metadata("workbench.method", "nosuchmethod")
                .add("w", DType.F32, new long[] {1}, new float[] {1})
                .write(compressed);
        assertThatThrownBy(() -> ModelLoader.load(compressed))
                .hasMessageContaining("c.safetensors")
                .hasMessageContaining("unknown compression method 'nosuchmethod'");
    }

    @Test
    void autoDetectedTokenizerFailureIsNotFatalButAnExplicitOneIs() throws Exception {
        Path model = tmp.resolve("stories.bin");
        Files.copy(TestData.stories260K(), model);
        Path badTok = Files.write(tmp.resolve("tok512.bin"), new byte[] {1, 2, 3});
        PrintStream err = System.err;
        var captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        Model m;
        try {
            // the console handler is made (on the captured System.err) as the CLI's entry point makes it
            Logs.configure(tmp.resolve("logs"), "warn");
            m = ModelLoader.load(model);
        } finally {
            Logs.reset();
            System.setErr(err);
        }
        assertThat(m.tokenizer()).isNull();
        assertThat(captured.toString()).startsWith("warning: tokenizer ").contains("tok512.bin");
        assertThat(Files.readString(tmp.resolve("logs/workbench.log")))
                .contains("WARN")
                .contains("ModelLoader")
                .contains("tok512.bin");
        assertThatThrownBy(() -> ModelLoader.load(model, badTok))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("tok512.bin");
        Path txt = Files.writeString(tmp.resolve("vocab.txt"), "a");
        assertThatThrownBy(() -> ModelLoader.load(model, txt)).hasMessageContaining("unknown tokenizer format");
        assertThatThrownBy(() -> ModelLoader.load(model, tmp.resolve("missing.json")))
                .hasMessageContaining("missing.json")
                .hasMessageContaining("not found");
    }
}
