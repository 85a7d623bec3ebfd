package dev.llmcw.cli;

import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.WorkbenchHome;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --db}: the results database (picocli mixin). The suite command has its own: its default comes from the suite file. */
final class DbOption {
    @Option(
            names = "--db",
            paramLabel = "FILE",
            description =
                    "results database (default: $WORKBENCH_HOME/results.db, else ~/.local/share/llm-compression-workbench/results.db)")
    Path db;

    /** --db, else the default database. */
    Path file() {
        return db != null ? db : WorkbenchHome.resultsDb();
    }

    /** Opens (creating when absent) the database: commands that record results. */
    ResultsStore open() {
        return ResultsStore.open(file());
    }

    /** Opens the database, refusing a --db that does not exist: commands that only read or edit stored runs. */
    ResultsStore openExisting() {
        Path p = file();
        if (db != null && !Files.exists(p)) throw new IllegalArgumentException("no results database at " + p);
        return ResultsStore.open(p);
    }
}
