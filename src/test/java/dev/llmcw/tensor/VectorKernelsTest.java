package dev.llmcw.tensor;

import dev.llmcw.testing.Slow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class VectorKernelsTest {
    @Test
    void kernelsMatchScalarReferenceAtTheDefaultSpecies() {
        KernelConformance.check();
    }

    /** The species is a per-JVM constant (see VectorKernels), so other widths run in child JVMs. */
    @Slow
    @ParameterizedTest
    @ValueSource(ints = {128, 256, 512})
    void kernelsMatchScalarReferenceAtEachVectorWidth(int bits) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        var cmd = List.of(java, "--add-modules", "jdk.incubator.vector", "-Xmx256m",
                "-Dworkbench.vector.bits=" + bits, "-Dworkbench.threads=1",
                "-cp", System.getProperty("java.class.path"), KernelConformance.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("OK vector bits " + bits);
        assertThat(p.exitValue()).isZero();
    }
}
