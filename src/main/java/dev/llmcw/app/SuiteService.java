package dev.llmcw.app;

import dev.llmcw.suite.SuiteReport;
import dev.llmcw.suite.SuiteSpec;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;

/** Runs suite files (sweeps of models × settings × tasks) for the GUI, into the shared results store. */
public interface SuiteService {
    /**
     * Runs {@code suite} as if read from {@code suiteFile} (its relative paths resolve against the
     * file's folder); finished runs land in the results store that Results and Charts read.
     */
    SuiteReport run(SuiteSpec suite, Path suiteFile, ProgressListener progress, CancellationToken cancel)
            throws Exception;
}
