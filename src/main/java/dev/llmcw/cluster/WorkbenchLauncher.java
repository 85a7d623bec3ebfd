package dev.llmcw.cluster;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command that starts this same workbench in a cluster job. The packaged application (jpackage sets
 * {@code jpackage.app-path} to its launcher, which carries its own JVM options) is started by that launcher;
 * a build run from the repository ({@code tools/workbench}, tests) by this JVM's {@code java} with this JVM's
 * options and class path. Either works on a node that sees the same paths (a shared filesystem, or the same
 * install everywhere); where it does not, the suite's {@code executor.launcher} names the command instead.
 */
public final class WorkbenchLauncher {
    private WorkbenchLauncher() {}

    /** The command words, or the configured {@code launcher} (split on spaces) when given. */
    public static List<String> command(String configured) {
        if (configured != null && !configured.isBlank())
            return List.of(configured.strip().split("\\s+"));
        String app = System.getProperty("jpackage.app-path");
        if (app != null && !app.isBlank()) return List.of(app);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // a debugger or profiler agent of this JVM must not be started again in every job
            if (arg.startsWith("-agentlib") || arg.startsWith("-javaagent") || arg.startsWith("-Xrunjdwp")) continue;
            cmd.add(arg);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.llmcw.Launcher");
        return cmd;
    }
}
