package dev.llmcw.app;

import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The GUI's executor setting (Local or Slurm, and the Slurm options), kept in the workspace as {@code
 * executor.json} so it is there next time. When a suite runs, it is laid over the suite file's {@code
 * executor:} section the way the command line's {@code --executor}/{@code --slurm-*} options are: the choice
 * of executor is the GUI's, each Slurm option set here replaces the file's, and an option left blank here
 * keeps the file's value.
 */
public final class ExecutorSettings {
    static final String FILE = "executor.json";
    private final Path file;
    private SuiteSpec.Executor current = SuiteSpec.Executor.local();

    private ExecutorSettings(Path file) {
        this.file = file;
    }

    /**
     * The setting stored in {@code workspace/executor.json} (Local when there is none yet).
     *
     * @throws IllegalArgumentException naming the file when it cannot be read as an executor setting
     */
    public static ExecutorSettings inWorkspace(Path workspace) {
        var s = new ExecutorSettings(workspace.resolve(FILE));
        if (Files.isRegularFile(s.file)) s.current = read(s.file);
        return s;
    }

    /** Kept for the session only (tests, a workspace that cannot be read). */
    public static ExecutorSettings inMemory() {
        return new ExecutorSettings(null);
    }

    public SuiteSpec.Executor get() {
        return current;
    }

    /**
     * Keeps {@code e} (and writes it to the workspace).
     *
     * @throws IllegalArgumentException with one sentence when a value is out of range
     */
    public void save(SuiteSpec.Executor e) {
        String problem = e.problem();
        if (problem != null) throw new IllegalArgumentException(problem.replace("executor.", "Slurm setting "));
        current = e;
        if (file == null) return;
        try {
            AtomicFiles.writeString(file, Json.write(e));
        } catch (IOException x) {
            throw new UncheckedIOException("cannot save the executor setting to " + file + ": " + x.getMessage(), x);
        }
    }

    /** The suite as it runs from the GUI: the file's executor section with this setting over it (see the class comment). */
    public SuiteSpec applyTo(SuiteSpec suite) {
        return over(suite, current);
    }

    /** {@code suite} run with {@code gui}'s executor choice and its set options over the file's section. */
    public static SuiteSpec over(SuiteSpec suite, SuiteSpec.Executor gui) {
        return suite.withExecutor(suite.executorOrLocal().overriddenBy(gui));
    }

    private static SuiteSpec.Executor read(Path file) {
        try {
            SuiteSpec.Executor e = Json.read(Files.readString(file), SuiteSpec.Executor.class);
            String problem = e.problem();
            if (problem != null) throw new IllegalArgumentException(problem);
            return e;
        } catch (IOException | RuntimeException x) {
            throw new IllegalArgumentException(
                    file + ": not an executor setting (" + x.getMessage() + "); delete it to start from Local", x);
        }
    }
}
