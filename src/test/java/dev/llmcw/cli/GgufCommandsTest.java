package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
    void exportGgufRefusesAnImatrixForAPlainTypeInOneSentence(@TempDir Path dir) throws Exception {
        Path imatrix = Files.write(dir.resolve("imatrix.dat"), new byte[] {1, 0, 0, 0});
        CommandLine cl = Cli.commandLine();
        var err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int rc = Cli.execute(
                cl,
                "export-gguf",
                TestData.stories260K().toString(),
                dir.resolve("s.gguf").toString(),
                "--type",
                "Q8_0",
                "--imatrix",
                imatrix.toString());
        assertThat(rc).isNotZero();
        assertThat(err.toString())
                .contains(
                        "--imatrix applies to the llama-quantize types (Q2_K … Q6_K, Q4_1, Q5_0, Q5_1, IQ4_NL), not to"
                                + " Q8_0");
        assertThat(dir.resolve("s.gguf")).doesNotExist();
    }

    @Test
    void tokenizePrintsIdsAndDecodes() {
        String out = run("tokenize", TestData.tok512().toString(), "Once upon a time", "--decode");
        assertThat(out).contains("403 407 261 378").contains("Once upon a time");
    }
}
