package dev.llmcw.util;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.Locale;
import java.util.Optional;

/**
 * A failure as one sentence for a user. Running out of memory or disk space says what to change (the
 * heap flag, free space) and names the file where the exception knows it; anything else gives the most
 * useful message of the cause chain. The CLI and the GUI show this, the log file keeps the stack trace.
 */
public final class Failures {
    private Failures() {}

    /** The sentence to show for {@code t}. */
    public static String describe(Throwable t) {
        return resourceProblem(t).orElseGet(() -> message(t));
    }

    /** For an OutOfMemoryError or a full disk anywhere in the cause chain: what happened and what to change. */
    public static Optional<String> resourceProblem(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError oom) return Optional.of(outOfMemory(t, oom));
            if (c instanceof IOException io && diskFull(io)) return Optional.of(diskFull(t, io));
            if (c.getCause() == c) break;
        }
        return Optional.empty();
    }

    static boolean diskFull(IOException e) {
        String m = e.getMessage();
        return m != null
                && (m.contains("No space left on device")
                        || m.contains("There is not enough space on the disk")
                        || m.toLowerCase(Locale.ROOT).contains("disk quota exceeded"));
    }

    private static String outOfMemory(Throwable top, OutOfMemoryError oom) {
        long maxMb = Runtime.getRuntime().maxMemory() >> 20;
        long suggestGb = Math.max(2, (maxMb * 2 + 1023) / 1024);
        String kind = oom.getMessage() == null || oom.getMessage().isBlank() ? "" : " (" + oom.getMessage() + ")";
        return "Out of memory" + where(top, oom) + kind + " with a heap limit of "
                + String.format(Locale.ROOT, "%,d", maxMb)
                + " MB: start the workbench with a larger heap, e.g. WORKBENCH_JAVA_OPTS=-Xmx" + suggestGb
                + "g (at most about 3/4 of the machine's memory), or use a smaller model or fewer items" + logHint()
                + ".";
    }

    private static String diskFull(Throwable top, IOException io) {
        String file = null;
        for (Throwable c = top; c != null && file == null; c = c.getCause()) {
            if (c instanceof FileSystemException fs && fs.getFile() != null) file = fs.getFile();
            if (c.getCause() == c) break;
        }
        String where = file != null ? " writing " + file : where(top, io);
        return "No space left on the disk" + where
                + ": free space there (or point the output or WORKBENCH_HOME at a disk with room) and run it again"
                + logHint() + ".";
    }

    /**
     * The outermost message wrapped around the cause, less the cause's own text: it usually names the file
     * or the step ("cannot write model.safetensors"); empty when no wrapper says more than the cause.
     */
    private static String where(Throwable top, Throwable cause) {
        for (Throwable c = top; c != null && c != cause; c = c.getCause()) {
            String m = c.getMessage();
            if (m == null) continue;
            m = m.replace(cause.toString(), "");
            if (cause.getMessage() != null) m = m.replace(cause.getMessage(), "");
            m = m.replaceAll("[:;,\\s]+$", "").strip();
            if (!m.isEmpty()) return " (" + m + ")";
            if (c.getCause() == c) break;
        }
        return "";
    }

    private static String logHint() {
        return Logs.file().map(f -> "; the details are in " + f).orElse("");
    }

    /** The most useful one-line message of a failure: the first non-blank message in the chain, else the class name. */
    public static String message(Throwable t) {
        Throwable c = t;
        while ((c.getMessage() == null || c.getMessage().isBlank()) && c.getCause() != null && c.getCause() != c)
            c = c.getCause();
        String m = c.getMessage();
        return m == null || m.isBlank() ? c.getClass().getSimpleName() : m;
    }
}
