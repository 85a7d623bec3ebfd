package dev.llmcw.cli;

import dev.llmcw.results.WorkbenchHome;
import dev.llmcw.util.BuildInfo;
import dev.llmcw.util.FailureLog;
import dev.llmcw.util.Failures;
import dev.llmcw.util.Logs;
import java.io.PrintWriter;
import org.slf4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/** Command-line entry: the same engine as the GUI, for scripts and headless runs. */
// scope INHERIT: every subcommand answers --help and --version, as docs/cli.md promises
@Command(
        name = "workbench",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = Cli.Version.class,
        description =
                "LLM compression workbench: load models, compress (SeedLM, CALDERA, RTN, GPTQ), evaluate, report.",
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
            DeploymentCommand.class,
            FinetuneCommand.class,
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
            ClusterTaskCommand.class,
        })
public final class Cli implements Runnable {
    private static final Logger LOG = FailureLog.of(Cli.class);

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static int execute(String... args) {
        return execute(commandLine(), args);
    }

    /** Runs {@code cl}; errors (OutOfMemoryError above all) pass picocli's exception handler, so they are reported here. */
    static int execute(CommandLine cl, String... args) {
        try {
            return cl.execute(args);
        } catch (Error e) {
            return report(e, cl.getErr(), cl.getCommandName());
        }
    }

    private static int report(Throwable ex, PrintWriter err, String command) {
        LOG.error("{} failed: {}", command, ex.toString(), ex);
        err.println("error: " + Failures.describe(ex));
        if (Boolean.getBoolean("workbench.debug")) ex.printStackTrace(err);
        err.flush();
        return 1;
    }

    /**
     * The command line with its failure handling: one sentence on the console ("error: ..."; out of memory and
     * a full disk say what to change), the stack trace in the log file (and on the console with -Dworkbench.debug=true).
     */
    static CommandLine commandLine() {
        var cl = new CommandLine(new Cli());
        CompressCommand.addMethodOptions(cl.getSubcommands().get("compress").getCommandSpec());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> report(ex, cmd.getErr(), cmd.getCommandName()));
        return cl;
    }

    public static void main(String[] args) {
        Logs.configure(WorkbenchHome.dir().resolve("logs"), "info");
        System.exit(execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"workbench " + BuildInfo.version()};
        }
    }
}
