package dev.llmcw;

import dev.llmcw.cli.Cli;
import dev.llmcw.results.WorkbenchHome;
import dev.llmcw.util.Failures;
import dev.llmcw.util.Logs;
import dev.llmcw.util.ThreadNice;
import org.slf4j.LoggerFactory;

/**
 * Single entry point: no arguments starts the GUI, any arguments run the command line. Kept free of
 * JavaFX types so the class loads on the classpath without the JavaFX module checks.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        boolean gui = args.length == 0 || (args.length == 1 && args[0].equals("gui"));
        // the GUI shows failures in dialogs, so its console gets only warnings; the CLI also prints progress notes
        Logs.configure(WorkbenchHome.dir().resolve("logs"), gui ? "warn" : "info");
        // a failure no task caught (FX thread, helper threads): its one sentence on the console, its trace in the log
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> LoggerFactory.getLogger(Launcher.class)
                .error("uncaught in thread {}: {}", t.getName(), Failures.describe(e), e));
        if (gui) {
            Class.forName("dev.llmcw.ui.WorkbenchApp")
                    .getMethod("launchApp", String[].class)
                    .invoke(null, (Object) new String[0]);
        } else {
            // a command's main thread takes part in the engine's parallel loops: it runs at the engine's priority
            ThreadNice.lowerCurrentThread(ThreadNice.ENGINE);
            System.exit(Cli.execute(args));
        }
    }
}
