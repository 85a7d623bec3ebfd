package dev.llmcw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command (and subcommand) answers --help, and the command lines of README.md and docs/cli.md parse:
 * the shared options (picocli mixins) keep their names on every command that had them.
 */
class CliHelpAndExamplesTest {

    @Test
    void everyCommandAnswersHelp() {
        List<List<String>> paths = new ArrayList<>();
        collect(Cli.commandLine(), new ArrayList<>(), paths);
        assertThat(paths).hasSizeGreaterThan(19);
        for (List<String> path : paths) {
            var args = new ArrayList<>(path);
            args.add("--help");
            var out = new StringWriter();
            var err = new StringWriter();
            CommandLine cl = Cli.commandLine();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            int rc = Cli.execute(cl, args.toArray(String[]::new));
            assertThat(rc).as("%s: %s", args, err).isZero();
            assertThat(out.toString()).as("%s", args).contains("Usage:");
        }
    }

    private static void collect(CommandLine cl, List<String> prefix, List<List<String>> into) {
        for (Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet()) {
            var path = new ArrayList<>(prefix);
            path.add(sub.getKey());
            into.add(path);
            collect(sub.getValue(), path, into);
        }
    }

    @Test
    void sharedOptionsKeepTheirNamesAndRequiredness() {
        CommandLine cl = Cli.commandLine();
        Map<String, List<String>> expected = Map.of(
                "eval", List.of("--model", "--tokenizer", "--data", "--out", "--db", "--seed"),
                "compress", List.of("--model", "--tokenizer", "--out", "--db", "--threads", "--work-dir"),
                "ppl", List.of("--model", "--tokenizer"),
                "caldera-quality", List.of("--model", "--tokenizer"),
                "report", List.of("--db", "--out"),
                "export-hf", List.of("--out"),
                "export-gguf", List.of("--tokenizer"),
                "eval-bench", List.of("--model", "--tokenizer", "--data"),
                "suite", List.of("--model", "--db", "--work-dir", "--data"));
        expected.forEach((name, options) -> {
            var spec = cl.getSubcommands().get(name).getCommandSpec();
            for (String o : options)
                assertThat(spec.findOption(o)).as("%s %s", name, o).isNotNull();
        });
        for (String name : List.of("eval", "compress", "ppl", "caldera-quality"))
            assertThat(cl.getSubcommands()
                            .get(name)
                            .getCommandSpec()
                            .findOption("--model")
                            .required())
                    .as(name)
                    .isTrue();
        assertThat(cl.getSubcommands()
                        .get("eval")
                        .getCommandSpec()
                        .findOption("--seed")
                        .defaultValue())
                .isEqualTo("1234");
        var runs = cl.getSubcommands().get("runs").getSubcommands();
        for (String sub : List.of("list", "show", "export", "resume", "delete"))
            assertThat(runs.get(sub).getCommandSpec().findOption("--db"))
                    .as("runs " + sub)
                    .isNotNull();
        assertThat(runs.get("resume").getCommandSpec().findOption("--data")).isNotNull();
    }

    @Test
    void mixinOptionsReachTheCommand() {
        CommandLine cl = Cli.commandLine();
        cl.parseArgs(
                "eval",
                "--model",
                "m.bin",
                "--tokenizer",
                "t.bin",
                "--tasks",
                "piqa",
                "--out",
                "o",
                "--db",
                "r.db",
                "--data",
                "d");
        EvalCommand eval = cl.getSubcommands().get("eval").getCommand();
        assertThat(eval.modelOptions.model()).isEqualTo(Path.of("m.bin"));
        assertThat(eval.modelOptions.tokenizer()).isEqualTo(Path.of("t.bin"));
        assertThat(eval.outFolder.dir()).isEqualTo(Path.of("o"));
        assertThat(eval.dbOption.file()).isEqualTo(Path.of("r.db"));
        assertThat(eval.data.dirOr(Path.of("default"))).isEqualTo(Path.of("d"));
    }

    @Test
    void readmeAndCliDocExamplesParse() throws IOException {
        int parsed = 0;
        for (String doc : List.of("README.md", "docs/cli.md")) {
            for (List<String> args : examples(Path.of(doc))) {
                try {
                    Cli.commandLine().parseArgs(args.toArray(String[]::new));
                } catch (CommandLine.ParameterException e) {
                    throw new AssertionError(doc + ": " + args + ": " + e.getMessage(), e);
                }
                parsed++;
            }
        }
        assertThat(parsed).isGreaterThan(20);
    }

    /** The {@code tools/workbench ...} command lines of a markdown file ($M and the like left as words). */
    static List<List<String>> examples(Path doc) throws IOException {
        List<List<String>> out = new ArrayList<>();
        String text = Files.readString(doc).replace("\\\n", " ");
        for (String line : text.lines().toList()) {
            if (!line.startsWith("tools/workbench ")) continue;
            int comment = line.indexOf(" #");
            if (comment >= 0) line = line.substring(0, comment);
            for (String command : line.split(" ; ")) {
                var words = new ArrayList<>(Arrays.asList(command.trim().split("\\s+")));
                words.removeFirst(); // tools/workbench
                if (!words.isEmpty()
                        && !words.getFirst().startsWith("-")
                        && !words.getFirst().equals("ARGS…")) out.add(words);
            }
        }
        return out;
    }
}
