package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.TestData;
import dev.llmcw.compress.CompressedFormat;
import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.testing.Slow;
import dev.llmcw.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compress --preset}: a method's presets (the GUI's list) on the command line, and QuIP# as a method. */
class CompressPresetCommandTest {
    @Test
    void aPresetIsFoundByItsLabelOrTheStartOfOne() {
        var caldera = MethodRegistry.get("caldera");
        var official = MethodOptions.preset(caldera, "official");
        assertThat(official.label()).startsWith("Official recipe");
        assertThat(official.values())
                .containsEntry("quantizer", "e8p")
                .containsEntry("hessian_downdate", "true")
                .containsEntry("exact_svd", "true")
                .containsEntry("outer_iters", "20")
                .containsEntry("inner_iters", "50");
        assertThat(MethodOptions.preset(caldera, official.label().toUpperCase()))
                .isEqualTo(official);
        assertThatThrownBy(() -> MethodOptions.preset(caldera, "Q 2-bit"))
                .hasMessageStartingWith("--preset \"Q 2-bit\" matches 3 presets of CALDERA; its presets: ");
        assertThatThrownBy(() -> MethodOptions.preset(caldera, "fast"))
                .hasMessageStartingWith(
                        "--preset \"fast\" names no preset of CALDERA; its presets: \"Q 2-bit, rank 64");
        assertThat(MethodOptions.preset(MethodRegistry.get("quip-sharp"), "quip#")
                        .values())
                .isEqualTo(Map.of("bits", "2"));
    }

    @Slow
    @Test
    void theOfficialPresetAndQuipSharpRunFromTheCommandLine(@TempDir Path dir) throws Exception {
        Path calib = dir.resolve("calib.txt");
        Files.writeString(
                calib,
                "Once upon a time there was a little girl named Lily. She loved to play in the park with her dog Max. "
                        .repeat(20));
        String[] common = {
            "--model",
            TestData.stories260K().toString(),
            "--calib",
            calib.toString(),
            "--calib-seqs",
            "2",
            "--calib-len",
            "64",
            "--no-store"
        };
        // The official recipe, with its iterations cut by explicit options (they override the preset).
        Path cal = dir.resolve("caldera.safetensors");
        assertThat(run(
                        common,
                        "--method",
                        "caldera",
                        "--preset",
                        "official",
                        "--rank",
                        "8",
                        "--outer-iters",
                        "2",
                        "--inner-iters",
                        "2",
                        "--out",
                        cal.toString()))
                .isZero();
        Model m = ModelLoader.load(cal);
        var params = Json.read(m.metadata().get(CompressedFormat.KEY_PARAMS), JsonNode.class);
        Map.of(
                        "quantizer", "e8p",
                        "hessian_downdate", "true",
                        "exact_svd", "true",
                        "rank", "8",
                        "outer_iters", "2",
                        "inner_iters", "2")
                .forEach((k, v) -> assertThat(params.path(k).asText()).as(k).isEqualTo(v));

        Path quip = dir.resolve("quip.safetensors");
        assertThat(run(common, "--method", "quip-sharp", "--out", quip.toString()))
                .isZero();
        Model q = ModelLoader.load(quip);
        assertThat(q.format()).isEqualTo("quip-sharp");
        assertThat(q.linears()).hasSize(35);

        var err = new ByteArrayOutputStream();
        var old = System.err;
        System.setErr(new PrintStream(err));
        try {
            assertThat(run(
                            common,
                            "--method",
                            "caldera",
                            "--preset",
                            "nope",
                            "--out",
                            dir.resolve("x").toString()))
                    .isNotZero();
        } finally {
            System.setErr(old);
        }
        assertThat(err.toString()).contains("--preset \"nope\" names no preset of CALDERA");
    }

    private static int run(String[] common, String... args) {
        String[] all = new String[1 + args.length + common.length];
        all[0] = "compress";
        System.arraycopy(args, 0, all, 1, args.length);
        System.arraycopy(common, 0, all, 1 + args.length, common.length);
        return Cli.execute(all);
    }
}
