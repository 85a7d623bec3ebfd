package dev.llmcw.cli;

import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunLabels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runs name|tag|note|hide|unhide}: what a researcher writes about stored runs (the Results view edits the same). */
final class RunLabelCommands {
    private RunLabelCommands() {}

    /**
     * One run's labels changed by {@link #change}: the database, the run id and the printed result are the
     * same for every label command. A missing run is refused by the store ("no run N in FILE").
     */
    abstract static class LabelCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DbOption db = new DbOption();

        @Parameters(index = "0", description = "run id")
        long id;

        abstract RunLabels change(RunLabels labels);

        @Override
        public Integer call() {
            try (ResultsStore store = db.openExisting()) {
                RunLabels now = change(store.labels(id));
                store.setLabels(id, now);
                spec.commandLine().getOut().println(describe(id, now));
            }
            return 0;
        }
    }

    static String describe(long id, RunLabels l) {
        return "run " + id + ": name \"" + l.name() + "\", tags [" + l.tagText() + "]"
                + (l.notes().isEmpty() ? "" : ", notes \"" + l.notes() + "\"")
                + (l.hidden() ? ", hidden" : "");
    }

    @Command(name = "name", description = "Name a run (an empty name removes it).")
    static final class Name extends LabelCommand {
        @Parameters(index = "1", description = "the name")
        String name;

        @Override
        RunLabels change(RunLabels l) {
            return l.withName(name);
        }
    }

    @Command(name = "tag", description = "Add tags to a run (--remove takes them off).")
    static final class Tag extends LabelCommand {
        @Parameters(index = "1..*", arity = "1..*", description = "tags")
        List<String> tags;

        @Option(names = "--remove", description = "remove these tags instead of adding them")
        boolean remove;

        @Override
        RunLabels change(RunLabels l) {
            var now = new ArrayList<>(l.tags());
            if (remove) now.removeAll(tags.stream().map(String::strip).toList());
            else now.addAll(tags);
            return l.withTags(now);
        }
    }

    @Command(name = "note", description = "Set a run's notes (empty text removes them).")
    static final class Note extends LabelCommand {
        @Parameters(index = "1", description = "the notes")
        String notes;

        @Override
        RunLabels change(RunLabels l) {
            return l.withNotes(notes);
        }
    }

    @Command(name = "hide", description = "Hide a run from the Results table and the charts (it stays stored).")
    static final class Hide extends LabelCommand {
        @Override
        RunLabels change(RunLabels l) {
            return l.withHidden(true);
        }
    }

    @Command(name = "unhide", description = "Show a hidden run again in the Results table and the charts.")
    static final class Unhide extends LabelCommand {
        @Override
        RunLabels change(RunLabels l) {
            return l.withHidden(false);
        }
    }
}
