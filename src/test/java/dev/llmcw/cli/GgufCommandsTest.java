package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufCommandsTest {
    private static String run(String... args) {
        PrintStream old = System.out;
        var buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertThat(Cli.execute(args)).isZero();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void exportGgufWritesALoadableQuantisedModelWithTokenizer(@TempDir Path dir) {
        Path out = dir.resolve("s.gguf");
        String log = run(
                "export-gguf",
                TestData.stories260K().toString(),
                out.toString(),
                "--type",
                "Q8_0",
                "--tokenizer",
                TestData.tok512().toString());
        assertThat(log).contains("wrote").contains("Q8_0");
        Model m = ModelLoader.load(out);
        assertThat(m.tensor("model.layers.0.self_attn.q_proj.weight").dtype()).isEqualTo(DType.Q8_0);
        assertThat(m.tokenizer().encode("Once upon a time")).containsExactly(403, 407, 261, 378);
    }

    @Test
    void tokenizePrintsIdsAndDecodes() {
        String out = run("tokenize", TestData.tok512().toString(), "Once upon a time", "--decode");
        assertThat(out).contains("403 407 261 378").contains("Once upon a time");
    }
}
