package dev.llmcw.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Command-line entry: the same engine as the GUI, for scripts and headless runs. */
@Command(name = "workbench", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "LLM compression workbench: load models, compress (SeedLM, CALDERA, RTN, GPTQ), evaluate, report.",
        subcommands = {
                InfoCommand.class,
                CompressCommand.class,
                SeedLmSweepCommand.class,
                SeedLmBenchCommand.class,
                SynthCommand.class,
                ExportHfCommand.class,
                TokenizeCommand.class,
                ExportGgufCommand.class,
                PplCommand.class,
                BenchCommand.class,
                CalderaBenchCommand.class,
                CompressQualityCommand.class,
                EvalCommand.class,
                TasksCommand.class,
                EvalBenchCommand.class,
                SuiteCommand.class,
                RunsCommand.class,
                DownloadCommand.class,
                ReportCommand.class,
        })
public final class Cli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static int execute(String... args) {
        var cl = new CommandLine(new Cli());
        CompressCommand.addMethodOptions(cl.getSubcommands().get("compress").getCommandSpec());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            cmd.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (Boolean.getBoolean("workbench.debug")) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl.execute(args);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"workbench " + dev.llmcw.util.BuildInfo.version()};
        }
    }
}
