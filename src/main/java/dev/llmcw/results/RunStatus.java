package dev.llmcw.results;

/** Life cycle of a stored run. A run left "running" by a killed process is resumed by running it again. */
public enum RunStatus {
    RUNNING, DONE, CANCELLED, FAILED;

    public String dbName() { return name().toLowerCase(java.util.Locale.ROOT); }

    public static RunStatus fromDb(String s) {
        return valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }

    public boolean finished() { return this != RUNNING; }
}
