package dev.llmcw.results;

import java.util.Locale;

/**
 * Life cycle of a stored run. A run whose process was killed becomes {@link #INTERRUPTED} when the database
 * is next opened; it (like a cancelled or failed run) is resumed by running it again or {@code runs resume}.
 */
public enum RunStatus {
    RUNNING,
    DONE,
    CANCELLED,
    FAILED,
    INTERRUPTED;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RunStatus fromDb(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    public boolean finished() {
        return this != RUNNING;
    }
}
