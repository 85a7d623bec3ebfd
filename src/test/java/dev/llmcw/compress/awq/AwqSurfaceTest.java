package dev.llmcw.compress.awq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.cli.Cli;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.MethodParameter;
import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.suite.SuiteMethods;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.ui.WorkbenchViewModel;
import dev.llmcw.ui.task.SynchronousTaskExecutor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.prefs.Preferences;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AWQ is one descriptor: it appears in {@code compress --method awq}, the GUI's Compress form and suites. */
class AwqSurfaceTest {
    @TempDir
    Path dir;

    private final Preferences prefs = Preferences.userRoot().node("dev/llmcw/workbench/awqtest-" + System.nanoTime());

    @AfterEach
    void cleanUp() throws Exception {
        prefs.removeNode();
    }

    @Test
    void compressesFromTheCommandLineAndLoadsBack() throws Exception {
        Path calib = Files.writeString(
                dir.resolve("calib.txt"),
                "Once upon a time there was a little girl named Lily. She loved to play in the park with her dog Max. "
                        .repeat(20));
        Path out = dir.resolve("awq.safetensors");
        assertThat(Cli.execute(
                        "compress",
                        "--method",
                        "awq",
                        "--bits",
                        "3",
                        "--group",
                        "32",
                        "--alpha-grid",
                        "10",
                        "--no-auto-clip",
                        "--calib",
                        calib.toString(),
                        "--calib-seqs",
                        "2",
                        "--calib-len",
                        "64",
                        "--model",
                        TestData.stories260K().toString(),
                        "--out",
                        out.toString(),
                        "--no-store"))
                .isZero();
        Model m = ModelLoader.load(out);
        assertThat(m.format()).isEqualTo("awq");
        assertThat(m.linears()).hasSize(35);
        assertThat(CompressedModels.params(m))
                .containsEntry("bits", "3")
                .containsEntry("group", "32")
                .containsEntry("alpha_grid", "10")
                .containsEntry("auto_clip", "false");
        assertThat(MethodRegistry.label("awq", CompressedModels.params(m))).isEqualTo("3b g32 noclip kept bf16");
        String help = compressHelp();
        assertThat(help)
                .contains("seedlm, caldera, rtn, gptq, awq")
                .contains("--alpha-grid=<n>")
                .contains("--auto-clip, --no-auto-clip")
                .contains("RTN, GPTQ, AWQ: bits per weight before scales");
    }

    @Test
    void awqWithoutCalibrationSaysSo() {
        var err = new ByteArrayOutputStream();
        var old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Cli.execute(
                    "compress",
                    "--method",
                    "awq",
                    "--model",
                    TestData.stories260K().toString(),
                    "--out",
                    dir.resolve("x.safetensors").toString(),
                    "--no-store");
        } finally {
            System.setErr(old);
        }
        assertThat(rc).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--method awq needs --calib FILE");
    }

    @Test
    void appearsInTheGuiForm() {
        var vm = new WorkbenchViewModel(
                WorkbenchServices.create(dir, dir.resolve("results.db")),
                new SynchronousTaskExecutor(),
                (t, m) -> {},
                new RecentModels(prefs));
        var c = vm.compress();
        var awq = c.methods().stream()
                .filter(m -> m.name().equals("awq"))
                .findFirst()
                .orElseThrow();
        assertThat(awq.displayName()).isEqualTo("AWQ");
        c.methodProperty().set(awq);
        assertThat(c.fields())
                .extracting(f -> f.spec().key())
                .contains("bits", "group", "alpha_grid", "auto_clip", "calib", "calib_seqs", "calib_len");
        assertThat(c.field("alpha_grid").spec().type()).isEqualTo(MethodParameter.Type.INTEGER);
        assertThat(c.field("alpha_grid").valueProperty().get()).isEqualTo("20");
        assertThat(c.field("auto_clip").valueProperty().get()).isEqualTo("true");
        c.field("alpha_grid").valueProperty().set("0");
        assertThat(c.validationProperty().get()).contains("Alpha grid must be between 1 and 1000");
    }

    @Test
    void validatesAndCreatesInASuite() {
        String yaml = "name: awq\nmodels: [{path: m.bin}]\nmethods:\n  - method: awq\n    params: "
                + "{bits: 3, group: 64, calib: c.txt}\ntasks: [piqa]\n";
        SuiteSpec s = SuiteSpec.parse(yaml, dir.resolve("awq.yaml"));
        assertThat(s.methodProblems()).isEmpty();
        var setting = s.settings().getFirst();
        var m = SuiteMethods.create(setting.method(), setting.params(), dir);
        assertThat(m.name()).isEqualTo("awq");
        assertThat(m.parameters())
                .containsEntry("bits", "3")
                .containsEntry("group", "64")
                .containsEntry("alpha_grid", "20")
                .containsEntry("auto_clip", "true");
        assertThat(SuiteSpec.parse(yaml.replace("group: 64", "alpha_grid: 0"), dir.resolve("awq.yaml"))
                        .methodProblems())
                .containsExactly("awq: alpha_grid must be between 1 and 1000");
        assertThat(SuiteMethods.create("awq", Map.of("calib", "c.txt"), dir).parameters())
                .containsEntry("bits", "4")
                .containsEntry("group", "128");
    }

    private static String compressHelp() {
        var buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertThat(Cli.execute("compress", "--help")).isZero();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ");
    }
}
