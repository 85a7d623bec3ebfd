package dev.llmcw.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.llmcw.TestData;
import dev.llmcw.app.RecentModels;
import dev.llmcw.app.WorkbenchServices;
import dev.llmcw.cli.Cli;
import dev.llmcw.compress.toy.ToyRoundDescriptor;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.suite.SuiteMethods;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.ui.WorkbenchViewModel;
import dev.llmcw.ui.task.SynchronousTaskExecutor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.prefs.Preferences;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A method is one package plus one registration: the toy method shows up in the CLI, the GUI form and suites. */
class MethodRegistryTest {
    @TempDir
    Path dir;

    private final Preferences prefs =
            Preferences.userRoot().node("dev/llmcw/workbench/registrytest-" + System.nanoTime());

    @AfterEach
    void cleanUp() throws Exception {
        MethodRegistry.unregister(ToyRoundDescriptor.ID);
        prefs.removeNode();
    }

    @Test
    void builtInMethodsAreRegisteredInOrder() {
        assertThat(MethodRegistry.all())
                .extracting(MethodDescriptor::id)
                .containsExactly("seedlm", "caldera", "rtn", "gptq", "awq", "quip-sharp", "kquant");
        assertThat(MethodRegistry.get("CALDERA").displayName()).isEqualTo("CALDERA");
        assertThat(MethodRegistry.format("gptq").method()).isEqualTo("gptq");
        assertThatThrownBy(() -> MethodRegistry.get("omniquant"))
                .hasMessage(
                        "unknown compression method 'omniquant' (seedlm, caldera, rtn, gptq, awq, quip-sharp, kquant)");
    }

    @Test
    void toyMethodAppearsInCliHelp() {
        assertThat(compressHelp()).doesNotContain("--step");
        MethodRegistry.register(new ToyRoundDescriptor());
        String help = compressHelp();
        assertThat(help)
                .contains("--step=<x>")
                .contains("Toy rounding: weights are rounded to multiples of this (default 0.05")
                .contains("seedlm, caldera, rtn, gptq, awq, quip-sharp, kquant, toyround")
                .contains("--rank=<n>")
                .contains("--no-hadamard")
                .contains("--C=<n>"); // the built-in knobs stay
    }

    @Test
    void toyMethodCompressesFromTheCommandLineAndLoadsBack() {
        MethodRegistry.register(new ToyRoundDescriptor());
        Path out = dir.resolve("toy.safetensors");
        assertThat(Cli.execute(
                        "compress",
                        "--method",
                        "toyround",
                        "--step",
                        "0.01",
                        "--model",
                        TestData.stories260K().toString(),
                        "--out",
                        out.toString(),
                        "--no-store"))
                .isZero();
        Model m = ModelLoader.load(out);
        assertThat(m.format()).isEqualTo("toyround");
        assertThat(m.linears()).hasSize(35);
        assertThat(CompressedModels.params(m)).containsEntry("step", "0.01");
    }

    @Test
    void toyMethodAppearsInTheGuiForm() {
        MethodRegistry.register(new ToyRoundDescriptor());
        var vm = new WorkbenchViewModel(
                WorkbenchServices.create(dir, dir.resolve("results.db")),
                new SynchronousTaskExecutor(),
                (t, m) -> {},
                new RecentModels(prefs));
        var c = vm.compress();
        var toy = c.methods().stream()
                .filter(m -> m.name().equals("toyround"))
                .findFirst()
                .orElseThrow();
        assertThat(toy.displayName()).isEqualTo("Toy rounding");
        c.methodProperty().set(toy);
        assertThat(c.fields()).singleElement().satisfies(f -> {
            assertThat(f.spec().key()).isEqualTo("step");
            assertThat(f.spec().type()).isEqualTo(MethodParameter.Type.DECIMAL);
            assertThat(f.valueProperty().get()).isEqualTo("0.05");
        });
        c.field("step").valueProperty().set("2");
        assertThat(c.validationProperty().get()).isEqualTo("Rounding step must be between 1.0E-6 and 1");
        c.field("step").valueProperty().set("0.1");
        assertThat(c.validationProperty().get()).isEmpty();
        assertThat(c.settings().parameters()).isEqualTo(Map.of("step", "0.1"));
    }

    @Test
    void toyMethodInASuiteValidatesAndCreatesTheMethod() {
        MethodRegistry.register(new ToyRoundDescriptor());
        SuiteSpec s = SuiteSpec.parse(suite("{step: 0.1}"), dir.resolve("toy.yaml"));
        var setting = s.settings().getFirst();
        CompressionMethod m = SuiteMethods.create(setting.method(), setting.params(), dir);
        assertThat(m.name()).isEqualTo("toyround");
        assertThat(m.parameters()).isEqualTo(Map.of("step", "0.1"));
        assertThat(SuiteMethods.create("toyround", Map.of(), dir).parameters()).isEqualTo(Map.of("step", "0.05"));
        assertThat(s.methodProblems()).isEmpty();
        assertThat(SuiteSpec.parse(suite("{stp: 0.1}"), dir.resolve("toy.yaml")).methodProblems())
                .containsExactly("toyround: unknown parameter(s) [stp]; known: [step]");
        assertThat(SuiteSpec.parse(suite("{step: 5}"), dir.resolve("toy.yaml")).methodProblems())
                .containsExactly("toyround: step must be between 1.0E-6 and 1");
        assertThat(SuiteSpec.parse(suite("{step: coarse}"), dir.resolve("toy.yaml"))
                        .methodProblems())
                .containsExactly("toyround: step must be a number, not 'coarse'");
    }

    @Test
    void builtInParametersValidateWithOneMessageEach() {
        assertThatThrownBy(() -> MethodRegistry.get("rtn").arguments(Map.of("group", "4"), dir, null))
                .hasMessage("rtn: group must be between 8 and 8192");
        assertThatThrownBy(() -> MethodRegistry.get("caldera").arguments(Map.of("quantizer", "lattice"), dir, null))
                .hasMessage("caldera: quantizer must be one of scalar, e8p");
        // Defaults are the descriptor's: the official CALDERA setting, GPTQ's damping, the shared calibration knobs.
        var caldera = MethodRegistry.get("caldera").create(Map.of("calib", "c.txt"), dir, dir);
        assertThat(caldera.parameters())
                .containsEntry("rank", "64")
                .containsEntry("outer_iters", "20")
                .containsEntry("inner_iters", "50")
                .containsEntry("seed", "24301")
                .containsEntry("hadamard", "true")
                .containsEntry("calibration", "c.txt, 128 × 512 tokens");
        assertThat(MethodRegistry.get("gptq")
                        .create(Map.of("calib", "c.txt"), dir, dir)
                        .parameters())
                .containsEntry("damp", "0.01");
        assertThat(MethodRegistry.label("caldera", caldera.parameters())).isEqualTo("Q2 r64 LR4 scalar");
    }

    @Test
    void bitsPerWeightFollowTheSetting() {
        var rtn = MethodRegistry.get("rtn");
        // b + (16 + b)/g: 4-bit codes, an FP16 scale and a 4-bit zero per group of 128
        assertThat(rtn.bitsPerWeight(rtn.arguments(Map.of(), dir, null), 256, 256))
                .isEqualTo(4 + 20.0 / 128);
        assertThat(rtn.bitsPerWeight(rtn.arguments(Map.of("bits", "3", "sym", "true"), dir, null), 256, 256))
                .isEqualTo(3 + 16.0 / 128);
        var awq = MethodRegistry.get("awq");
        // RTN's grid plus one FP16 input scale per column: 16·cols/(rows·cols) = 16/rows
        assertThat(awq.bitsPerWeight(awq.arguments(Map.of("bits", "3"), dir, null), 256, 256))
                .isEqualTo(3 + 19.0 / 128 + 16.0 / 256);
        var seedlm = MethodRegistry.get("seedlm");
        // (K + 4 + 4P)/C = 32/8 per weight; the tensor's 8-byte shape is bookkeeping, not counted (as RTN's grid
        // header)
        assertThat(seedlm.bitsPerWeight(seedlm.arguments(Map.of(), dir, null), 64, 64))
                .isEqualTo(4.0);
        assertThat(seedlm.bitsPerWeight(seedlm.arguments(Map.of("bits", "3"), dir, null), 96, 96))
                .isLessThan(3.5);
        var caldera = MethodRegistry.get("caldera");
        double rank0 = caldera.bitsPerWeight(caldera.arguments(Map.of("rank", "0"), dir, null), 256, 256);
        double rank64 = caldera.bitsPerWeight(caldera.arguments(Map.of(), dir, null), 256, 256);
        assertThat(rank0).isBetween(2.0, 2.2);
        assertThat(rank64 - rank0).isCloseTo(4.0 * 64 * 512 / 65536, offset(0.2));
    }

    private static String suite(String params) {
        return "name: toy\nmodels: [{path: m.bin}]\nmethods:\n  - method: toyround\n    params: " + params
                + "\ntasks: [piqa]\n";
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
        return buf.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " "); // unwrapped
    }
}
