package dev.llmcw.util;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Where the workbench's logging goes. Code logs through SLF4J ({@code LoggerFactory.getLogger}); the
 * backend is java.util.logging (slf4j-jdk14), configured here by the entry points (CLI, GUI): a
 * size-capped, rotated {@code <logs>/workbench.log} with timestamps and full stack traces, and
 * standard error with message-only lines and never a stack trace. Without {@link #configure} (tests,
 * embedding) the JDK's default console logging applies.
 *
 * <p>Levels: {@code -Dworkbench.log.level} (file, default info; debug and trace add detail) and
 * {@code -Dworkbench.log.console} (default: the entry point's; the CLI shows info, such as "loading ...", the GUI warn).
 */
public final class Logs {
    private Logs() {}

    public static final String FILE_NAME = "workbench.log";
    /** Loggers under this name write only to the file ({@link FailureLog}). */
    static final String FILE_ONLY = "file-only.";

    static final long LIMIT_BYTES = 10L << 20;
    static final int KEEP = 3;

    private static final Logger ROOT = Logger.getLogger("");
    private static volatile Path file;
    private static Handler fileHandler;
    private static Handler consoleHandler;

    /**
     * Logs to {@code logDir/workbench.log} and the console as described above; calling it again moves the file.
     *
     * @param consoleDefault console level unless {@code -Dworkbench.log.console} is set: "info", "warn", ...
     */
    public static synchronized void configure(Path logDir, String consoleDefault) {
        reset();
        for (Handler h : ROOT.getHandlers()) ROOT.removeHandler(h);
        Level fileLevel = level(System.getProperty("workbench.log.level", "info"));
        Level consoleLevel = level(System.getProperty("workbench.log.console", consoleDefault));
        consoleHandler = new ConsoleHandler();
        consoleHandler.setLevel(consoleLevel);
        consoleHandler.setFormatter(new ConsoleFormat());
        consoleHandler.setFilter(
                r -> r.getLoggerName() == null || !r.getLoggerName().startsWith(FILE_ONLY));
        ROOT.addHandler(consoleHandler);
        try {
            Files.createDirectories(logDir);
            Path f = logDir.resolve(FILE_NAME);
            fileHandler = new SizeCappedFileHandler(f, LIMIT_BYTES, KEEP, new FileFormat());
            fileHandler.setLevel(fileLevel);
            ROOT.addHandler(fileHandler);
            file = f;
        } catch (IOException | RuntimeException e) {
            // no log file (read-only home, full disk): the console still gets warnings and errors
            ROOT.warning("cannot write the log file in " + logDir + ": " + e.getMessage());
        }
        Level min = fileLevel.intValue() < consoleLevel.intValue() ? fileLevel : consoleLevel;
        ROOT.setLevel(min);
    }

    /** Back to the JDK's default logging (tests that configured a temporary folder). */
    public static synchronized void reset() {
        if (fileHandler == null && consoleHandler == null) return;
        if (fileHandler != null) fileHandler.close();
        fileHandler = null;
        consoleHandler = null;
        file = null;
        try {
            LogManager.getLogManager().readConfiguration();
        } catch (IOException e) {
            for (Handler h : ROOT.getHandlers()) ROOT.removeHandler(h);
        }
    }

    /** The log file, when logging was configured and the file could be opened. */
    public static Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    static Level level(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "trace", "all" -> Level.FINEST;
            case "debug" -> Level.FINE;
            case "info" -> Level.INFO;
            case "warn", "warning" -> Level.WARNING;
            case "error" -> Level.SEVERE;
            case "off" -> Level.OFF;
            default ->
                throw new IllegalArgumentException(
                        "log level must be trace, debug, info, warn, error or off, got '" + name + "'");
        };
    }

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    /** One line per record with time, level, thread and logger, then the stack trace if any. */
    private static final class FileFormat extends Formatter {
        @Override
        public String format(LogRecord r) {
            var sb = new StringBuilder();
            sb.append(TIME.format(Instant.ofEpochMilli(r.getMillis())))
                    .append(' ')
                    .append(name(r.getLevel()))
                    .append(" [")
                    .append(Thread.currentThread().getName())
                    .append("] ")
                    .append(shortName(r.getLoggerName()))
                    .append(": ")
                    .append(formatMessage(r))
                    .append(System.lineSeparator());
            if (r.getThrown() != null) {
                var w = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(w));
                sb.append(w);
            }
            return sb.toString();
        }
    }

    /** "warning: message" / "error: message": no stack traces on the console (they are in the file). */
    private static final class ConsoleFormat extends Formatter {
        @Override
        public String format(LogRecord r) {
            int l = r.getLevel().intValue();
            String level = l >= Level.SEVERE.intValue() ? "error: " : l >= Level.WARNING.intValue() ? "warning: " : "";
            return level + formatMessage(r) + System.lineSeparator();
        }
    }

    private static String name(Level l) {
        if (l.intValue() >= Level.SEVERE.intValue()) return "ERROR";
        if (l.intValue() >= Level.WARNING.intValue()) return "WARN";
        if (l.intValue() >= Level.INFO.intValue()) return "INFO";
        if (l.intValue() >= Level.FINE.intValue()) return "DEBUG";
        return "TRACE";
    }

    private static String shortName(String logger) {
        if (logger == null) return "";
        int dot = logger.lastIndexOf('.');
        return dot < 0 ? logger : logger.substring(dot + 1);
    }
}
