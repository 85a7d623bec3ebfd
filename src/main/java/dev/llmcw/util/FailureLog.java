package dev.llmcw.util;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loggers for failures that the caller already reports to the user as one sentence (the CLI's "error: ..."
 * line, a GUI dialog): their stack traces go to the log file only, so the console does not say it twice.
 */
public final class FailureLog {
    private FailureLog() {}

    public static Logger of(Class<?> owner) {
        return LoggerFactory.getLogger(Logs.FILE_ONLY + owner.getName());
    }
}
