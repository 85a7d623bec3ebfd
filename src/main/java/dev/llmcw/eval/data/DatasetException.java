package dev.llmcw.eval.data;

import java.nio.file.Path;

/**
 * A dataset file that cannot be used: unreadable, malformed, missing a field, a label out of range.
 * The message always names the file, and the line when one is to blame, so a user can fix the data.
 */
public class DatasetException extends IllegalArgumentException {
    private final Path file;
    private final int line;

    public DatasetException(Path file, int line, String problem) {
        this(file, line, problem, null);
    }

    public DatasetException(Path file, int line, String problem, Throwable cause) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem, cause);
        this.file = file;
        this.line = line;
    }

    public DatasetException(Path file, String problem) {
        this(file, 0, problem, null);
    }

    public DatasetException(Path file, String problem, Throwable cause) {
        this(file, 0, problem, cause);
    }

    public Path file() {
        return file;
    }

    /** 1-based line number, or 0 when the problem is with the file as a whole. */
    public int line() {
        return line;
    }
}
