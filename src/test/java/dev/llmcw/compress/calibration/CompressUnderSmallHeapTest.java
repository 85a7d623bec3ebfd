package dev.llmcw.compress.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.compress.gptq.Gptq;
import dev.llmcw.compress.gptq.GptqMethod;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.model.safetensors.SafetensorsFile;
import dev.llmcw.model.synthetic.SyntheticModelGenerator;
import dev.llmcw.tensor.DType;
import dev.llmcw.testing.Slow;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPTQ compresses a model whose calibration statistics (12 layers × 11 MB of Σ x·xᵀ; widths over 256, so the engine keeps no float copy of a weight) are larger than the
 * whole heap of a forked JVM (-Xmx96m): before calibration streamed, it ran out of memory there. The file
 * it writes holds the same tensors, byte for byte, as one compressed in this JVM, whose larger heap takes
 * the single pass.
 */
@Slow
class CompressUnderSmallHeapTest {
    @TempDir
    Path dir;

    private static final String HEAP = "-Xmx96m";

    @Test
    void gptqStreamsCalibrationUnderAHeapSmallerThanItsStatistics() throws Exception {
        ModelConfig c = new ModelConfig(
                "llama", 512, 768, 12, 8, 2, 64, 512, 512, 1e-5f, 10000f, RopeLayout.ROTATE_HALF, null, true, false);
        long statistics = Calibration.hessianBytes(c, 0, c.nLayers());
        assertThat(statistics).isGreaterThan(120L << 20); // more than the forked JVM's whole heap
        Path model = dir.resolve("model");
        SyntheticModelGenerator.generate(
                c, "scale-test", DType.BF16, 7, model, ProgressListener.NONE, CancellationToken.none());
        Path calib = TestData.require("datasets/tinystories/tinystories_val_subset.txt");

        Path forked = dir.resolve("forked.safetensors");
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path log = dir.resolve("forked.log");
        Process p = new ProcessBuilder(List.of(
                        java,
                        "--add-modules",
                        "jdk.incubator.vector",
                        HEAP,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.llmcw.Launcher",
                        "compress",
                        "--method",
                        "gptq",
                        "--bits",
                        "4",
                        "--group",
                        "128",
                        "--calib",
                        calib.toString(),
                        "--calib-seqs",
                        "4",
                        "--calib-len",
                        "64",
                        "--calib-cache",
                        dir.resolve("forked-cache").toString(),
                        "--db",
                        dir.resolve("results.db").toString(),
                        "--model",
                        model.toString(),
                        "--out",
                        forked.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        // minutes on an idle machine; generous, as a shared build machine may be many times slower
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the forked compression did not finish in 30 minutes: " + log);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("per pass");

        Path here = dir.resolve("here.safetensors");
        var spec = CalibrationSpec.of(calib, 4, 64, dir.resolve("here-cache"));
        assertThat(statistics).isLessThan(Calibration.memoryBudget()); // this JVM: one pass, in memory
        new GptqMethod(4, 128, false, false, Gptq.DEFAULT_DAMP, spec)
                .compress(ModelLoader.load(model), here, dir.resolve("here.work"), null, null);

        SafetensorsFile a = SafetensorsFile.open(forked), b = SafetensorsFile.open(here);
        assertThat(a.entries().keySet()).isEqualTo(b.entries().keySet());
        for (String name : b.entries().keySet())
            assertThat(a.byteArray(name)).as(name).isEqualTo(b.byteArray(name));
    }
}
