package dev.llmcw.cli;

import dev.llmcw.results.ResultsExport;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunLabels;
import dev.llmcw.results.RunRecord;
import dev.llmcw.results.RunStatus;
import dev.llmcw.suite.EvalTaskEvaluator;
import dev.llmcw.suite.RunResumer;
import dev.llmcw.suite.TerminalProgress;
import dev.llmcw.suite.WorkbenchSuiteActions;
import dev.llmcw.util.AtomicFiles;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "runs",
        description = "List, show, export, resume, delete, name, tag and hide stored runs (results database).",
        subcommands = {
            RunsCommand.ListRuns.class,
            RunsCommand.Show.class,
            RunsCommand.Export.class,
            RunsCommand.Resume.class,
            RunsCommand.Delete.class,
            RunsShards.class,
            RunLabelCommands.Name.class,
            RunLabelCommands.Tag.class,
            RunLabelCommands.Note.class,
            RunLabelCommands.Hide.class,
            RunLabelCommands.Unhide.class
        })
final class RunsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** How {@code runs resume} evaluates, given the data folder: replaced by tests. */
    static Function<Path, WorkbenchSuiteActions.TaskEvaluator> evaluators = EvalTaskEvaluator::new;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static class Filter {
        @Option(names = "--model", description = "model label, path or hash prefix")
        String model;

        @Option(names = "--method", description = "compression method (none = base model)")
        String method;

        @Option(names = "--task", description = "task name")
        String task;

        @Option(names = "--status", description = "running, done, cancelled, failed or interrupted")
        String status;

        RunFilter toFilter() {
            return new RunFilter(model, method, task, status == null ? null : RunStatus.fromDb(status));
        }
    }

    @Command(name = "list", description = "List stored runs, newest first.")
    static final class ListRuns implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DbOption db = new DbOption();

        @Mixin
        Filter filter = new Filter();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (ResultsStore store = db.openExisting()) {
                List<RunRecord> runs = store.listRuns((filter == null ? new Filter() : filter).toFilter());
                out.printf(
                        Locale.ROOT,
                        "%5s  %-19s  %-16s  %-28s  %7s  %-14s  %6s  %-9s  %s%n",
                        "id",
                        "created",
                        "model",
                        "method",
                        "bits/w",
                        "task",
                        "items",
                        "status",
                        "metrics");
                for (RunRecord r : runs) {
                    out.printf(
                            Locale.ROOT,
                            "%5d  %-19s  %-16s  %-28s  %7s  %-14s  %6s  %-9s  %s%n",
                            r.id(),
                            r.created().toString().replace('T', ' ').substring(0, 19),
                            cut(r.modelLabel(), 16),
                            cut(r.settingLabel(), 28),
                            r.bitsPerWeight() == null ? "" : String.format(Locale.ROOT, "%.3f", r.bitsPerWeight()),
                            cut(r.task(), 14),
                            r.items() == null ? "" : r.items(),
                            r.status().dbName(),
                            metrics(r));
                }
                out.printf("%d run(s) in %s%n", runs.size(), store.file());
            }
            return 0;
        }
    }

    @Command(name = "show", description = "Show everything stored about one run.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DbOption db = new DbOption();

        @Parameters(index = "0", description = "run id")
        long id;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (ResultsStore store = db.openExisting()) {
                RunRecord r = store.getRun(id)
                        .orElseThrow(() -> new IllegalArgumentException("no run " + id + " in " + store.file()));
                out.printf(
                        "run %d: %s on %s (%s), %s%n",
                        r.id(),
                        r.task(),
                        r.modelLabel(),
                        r.settingLabel(),
                        r.status().dbName());
                var labels = store.labels(r.id());
                if (!labels.equals(RunLabels.NONE))
                    out.printf("  labels:       %s%n", RunLabelCommands.describe(r.id(), labels));
                if (r.message() != null) out.printf("  message:      %s%n", r.message());
                out.printf(
                        "  model:        %s%n  weights hash: %s%n",
                        r.spec().modelPath(), r.spec().modelHash());
                out.printf("  task version: %s, items: %s%n", r.taskVersion(), r.items());
                if (r.bitsPerWeight() != null)
                    out.printf(
                            Locale.ROOT,
                            "  size:         %.3f bits/weight, %,d bytes%n",
                            r.bitsPerWeight(),
                            r.totalBytes());
                out.printf("  options:      %s%n", Json.write(r.spec().options()));
                out.printf("  run key:      %s%n  item key:     %s%n", r.runKey(), r.itemKey());
                out.printf(
                        "  created:      %s, started %s, finished %s (%s s)%n",
                        r.created(),
                        r.started(),
                        r.finished(),
                        r.seconds() == null ? "-" : String.format(Locale.ROOT, "%.1f", r.seconds()));
                if (!r.timings().isEmpty()) out.printf("  timings:      %s%n", r.timings());
                out.printf("  code version: %s%n", r.codeVersion());
                if (r.machine() != null)
                    out.printf(
                            "  machine:      %d cores, %s, %s, %s%n",
                            r.machine().cores(),
                            r.machine().cpu(),
                            r.machine().os(),
                            r.machine().java());
                for (var m : r.metrics())
                    out.printf(
                            Locale.ROOT,
                            "  %-18s %.6f%s%n",
                            m.name(),
                            m.value(),
                            m.stderr() == null ? "" : String.format(Locale.ROOT, " ± %.6f", m.stderr()));
                r.details().forEach((k, v) -> out.printf("  detail %s = %s%n", k, v));
                out.printf("  stored items: %d%n", store.itemsFor(r.id()).size());
            }
            return 0;
        }
    }

    @Command(name = "export", description = "Export runs as lm-eval results JSON, CSV or a Markdown table.")
    static final class Export implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DbOption db = new DbOption();

        @Mixin
        Filter filter = new Filter();

        @Option(names = "--format", required = true, description = "json, csv or md")
        String format;

        @Option(names = "--out", description = "output file (default: standard output)")
        Path outFile;

        @Parameters(description = "run ids (default: every finished run matching the filter)")
        List<Long> ids = new ArrayList<>();

        @Override
        public Integer call() {
            ResultsExport.Format f = switch (format.toLowerCase(Locale.ROOT)) {
                case "json" -> ResultsExport.Format.JSON;
                case "csv" -> ResultsExport.Format.CSV;
                case "md", "markdown" -> ResultsExport.Format.MD;
                default -> throw new IllegalArgumentException("--format must be json, csv or md, got " + format);
            };
            List<RunRecord> runs = new ArrayList<>();
            try (ResultsStore store = db.openExisting()) {
                if (ids.isEmpty()) {
                    runs.addAll(store.listRuns((filter == null ? new Filter() : filter).toFilter()).stream()
                            .filter(r -> r.status() == RunStatus.DONE)
                            .toList());
                } else {
                    for (long id : ids)
                        runs.add(store.getRun(id)
                                .orElseThrow(
                                        () -> new IllegalArgumentException("no run " + id + " in " + store.file())));
                }
            }
            if (runs.isEmpty()) throw new IllegalArgumentException("no runs to export");
            String text = ResultsExport.export(runs, f);
            if (outFile == null) {
                spec.commandLine().getOut().print(text);
                spec.commandLine().getOut().flush();
            } else {
                try {
                    AtomicFiles.writeString(outFile, text);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + outFile + ": " + e.getMessage(), e);
                }
                spec.commandLine().getErr().printf("wrote %d run(s) to %s%n", runs.size(), outFile);
            }
            return 0;
        }
    }

    @Command(
            name = "resume",
            description = {
                "Finish runs that did not (interrupted, cancelled or failed): evaluate again,",
                "reusing the items stored before, with the run's own model, task and options."
            })
    static final class Resume implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DbOption db = new DbOption();

        @Mixin
        DataOption data = new DataOption();

        @Parameters(arity = "1..*", description = "run ids")
        List<Long> ids;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            RunResumer resumer = new RunResumer(evaluators.apply(data.dirOr(DataOption.sharedOrSamples())));
            CancellationToken cancel = new CancellationToken();
            // Ctrl-C: stop at the next item; the items so far stay stored for the next resume.
            Thread hook = new Thread(cancel::cancel);
            Runtime.getRuntime().addShutdownHook(hook);
            try (ResultsStore store = db.openExisting()) {
                for (long id : ids) {
                    RunRecord r = resumer.resume(store, id, TerminalProgress.stdout(), cancel)
                            .run();
                    out.printf(
                            "run %d: %s on %s (%s), %s %s%n",
                            r.id(),
                            r.task(),
                            r.modelLabel(),
                            r.settingLabel(),
                            r.status().dbName(),
                            metrics(r));
                }
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is exiting because of Ctrl-C
                }
            }
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete runs (and their items unless another run shares them).")
    static final class Delete implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DbOption db = new DbOption();

        @Parameters(arity = "1..*", description = "run ids")
        List<Long> ids;

        @Override
        public Integer call() {
            try (ResultsStore store = db.openExisting()) {
                for (long id : ids) {
                    if (store.getRun(id).isEmpty())
                        throw new IllegalArgumentException("no run " + id + " in " + store.file());
                    store.deleteRun(id);
                }
            }
            spec.commandLine().getOut().printf("deleted %d run(s)%n", ids.size());
            return 0;
        }
    }

    static String cut(String s, int n) {
        if (s == null) return "";
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    static String metrics(RunRecord r) {
        var sb = new StringBuilder();
        for (var m : r.metrics()) {
            if (sb.length() > 60) break;
            sb.append(sb.isEmpty() ? "" : " ")
                    .append(m.name())
                    .append('=')
                    .append(String.format(Locale.ROOT, "%.4f", m.value()));
        }
        return sb.toString();
    }
}
