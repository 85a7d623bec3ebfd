package dev.llmcw.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.testing.Slow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class VectorKernelsTest {
    @Test
    void kernelsMatchScalarReferenceAtTheDefaultSpecies() {
        KernelConformance.check();
    }

    /**
     * The species is a per-JVM constant (see VectorKernels), so other widths run in child JVMs. They are
     * started together at the first width's turn and overlap, since each is mostly one thread warming up;
     * this JVM's own width is checked here instead of in a child that would repeat it.
     */
    @Slow
    @ParameterizedTest
    @MethodSource("widths")
    void kernelsMatchScalarReferenceAtEachVectorWidth(int bits) throws IOException, InterruptedException {
        if (bits == KernelSpecies.vectorBits()) {
            KernelConformance.check();
            return;
        }
        Process p = child(bits);
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(out).contains("OK vector bits " + bits);
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    static IntStream widths() {
        return IntStream.of(128, 256, 512);
    }

    private static final Map<Integer, Process> CHILDREN = new HashMap<>();

    private static synchronized Process child(int bits) throws IOException {
        if (CHILDREN.isEmpty()) {
            for (int b : widths().filter(b -> b != KernelSpecies.vectorBits()).toArray())
                CHILDREN.put(b, startChild(b));
        }
        return CHILDREN.get(bits);
    }

    private static Process startChild(int bits) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        var cmd = List.of(
                java,
                "--add-modules",
                "jdk.incubator.vector",
                "-Xmx256m",
                "-Dworkbench.vector.bits=" + bits,
                "-Dworkbench.threads=1",
                "-cp",
                System.getProperty("java.class.path"),
                KernelConformance.class.getName());
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }
}
