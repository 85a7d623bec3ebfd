package dev.llmcw;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.Vector;
import org.junit.jupiter.api.Test;

/**
 * The launchers' JVM settings (packaging/jvm.options and the JIT directives file) start this JDK: a JVM
 * that rejects one of them does not start at all, and with DisplayVMOutput off it does not say why.
 */
class JvmOptionsTest {
    private static final Path OPTIONS = Path.of("packaging/jvm.options");
    private static final Path DIRECTIVES = Path.of("packaging/jit-directives.json");

    @Test
    void theDirectivesFileParsesAndInstallsItsDirective() throws Exception {
        // VM output on for this check: the JVM reports what it installed, or where the file is wrong
        var r = java(
                "-XX:+UnlockDiagnosticVMOptions",
                "-XX:CompilerDirectivesFile=" + DIRECTIVES.toAbsolutePath(),
                "-version");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("1 compiler directives added");
    }

    @Test
    void theOptionsFileWithTheDirectivesStartsTheJvmSilently() throws Exception {
        var r = java(
                "@" + OPTIONS.toAbsolutePath(),
                "-XX:CompilerDirectivesFile=" + DIRECTIVES.toAbsolutePath(),
                "-version");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).doesNotContain("compiler directives added").contains("version");
        // every option line is one the launchers pass on (the app image gets one --java-options per line)
        for (String line : Files.readAllLines(OPTIONS)) {
            String opt = line.replaceAll("#.*", "").strip();
            if (!opt.isEmpty()) assertThat(opt).startsWith("-").doesNotContain(" ");
        }
    }

    /**
     * The force-inline list names methods that exist, and names every engine and tensor method that takes
     * or returns a Vector (such a call, when C2 does not inline it, boxes the vector and runs the Vector
     * API's slow fallback; a moved or renamed kernel would otherwise silently drop out of the list).
     */
    @Test
    void everyVectorMethodOfTheKernelsIsForceInlinedAndEveryListedMethodExists() throws IOException {
        Set<String> listed = new TreeSet<>();
        for (String line : Files.readAllLines(OPTIONS)) {
            String opt = line.replaceAll("#.*", "").strip();
            if (opt.startsWith("-XX:CompileCommand=inline,"))
                listed.add(opt.substring("-XX:CompileCommand=inline,".length()));
        }
        var classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("dev.llmcw");
        Set<String> existing = new TreeSet<>(), needed = new TreeSet<>();
        for (JavaClass c : classes) {
            for (JavaMethod m : c.getMethods()) {
                String name = c.getName() + "::" + m.getName();
                existing.add(name);
                boolean vector = m.getRawReturnType().isAssignableTo(Vector.class)
                        || m.getRawParameterTypes().stream().anyMatch(t -> t.isAssignableTo(Vector.class));
                if (vector
                        && !m.getName().startsWith("lambda$")
                        && (c.getPackageName().startsWith("dev.llmcw.engine")
                                || c.getPackageName().startsWith("dev.llmcw.tensor"))) {
                    needed.add(name);
                }
            }
        }
        assertThat(existing)
                .as("methods named by -XX:CompileCommand=inline in " + OPTIONS)
                .containsAll(listed);
        assertThat(listed)
                .as("engine and tensor methods that take or return a Vector")
                .containsAll(needed);
    }

    private record Result(int exit, String output) {}

    private static Result java(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
