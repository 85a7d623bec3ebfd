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
            System.exit(Cli.execute(args));
        }
    }
}
