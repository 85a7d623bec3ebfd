package dev.llmcw.suite;

import dev.llmcw.util.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress for a terminal: log lines as they come, stage progress as one status line rewritten in
 * place ({@code \r}) on an interactive console, or at most every few seconds when output is piped.
 */
public final class TerminalProgress implements ProgressListener {
    private final PrintStream out;
    private final boolean interactive;
    private long lastPrint;
    private int lastWidth;

    public TerminalProgress(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    public static TerminalProgress stdout() {
        return new TerminalProgress(System.out, System.console() != null);
    }

    @Override
    public synchronized void update(String stage, long done, long total, String message) {
        if (done < 0 && total < 0) {
            clear();
            out.println(stage);
            return;
        }
        long now = System.nanoTime();
        boolean end = total > 0 && done >= total;
        if (!end && now - lastPrint < (interactive ? 100_000_000L : 5_000_000_000L)) return;
        lastPrint = now;
        String pct = total > 0 ? String.format(Locale.ROOT, " %5.1f%%", 100.0 * done / total) : "";
        String line = stage + " " + done + (total > 0 ? "/" + total : "") + pct
                + (message == null || message.isEmpty() ? "" : "  " + message);
        if (interactive) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = line.length();
            if (end) {
                out.println();
                lastWidth = 0;
            }
        } else {
            out.println(line);
        }
        out.flush();
    }

    private void clear() {
        if (interactive && lastWidth > 0) {
            out.print("\r" + " ".repeat(lastWidth) + "\r");
            lastWidth = 0;
        }
    }
}
