package dev.llmcw.app;

import dev.llmcw.cli.Cli;

/**
 * Single entry point: no arguments starts the GUI, any arguments run the command line. Kept free of
 * JavaFX types so the class loads on the classpath without the JavaFX module checks.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || (args.length == 1 && args[0].equals("gui"))) {
            Class.forName("dev.llmcw.ui.WorkbenchApp").getMethod("launchApp", String[].class)
                    .invoke(null, (Object) new String[0]);
        } else {
            // a command's main thread takes part in the engine's parallel loops: it runs at the engine's priority
            dev.llmcw.util.ThreadNice.lowerCurrentThread(dev.llmcw.util.ThreadNice.ENGINE);
            System.exit(Cli.execute(args));
        }
    }
}
