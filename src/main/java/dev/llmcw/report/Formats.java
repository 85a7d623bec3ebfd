package dev.llmcw.report;

import java.util.Locale;
import java.util.Set;

/** Number formatting shared by charts, tables and reports (always Locale.ROOT: reports are data). */
public final class Formats {
    private Formats() {}

    public static String bits(double bits) {
        return Double.isNaN(bits) ? "?" : String.format(Locale.ROOT, "%.3f", bits);
    }

    public static String value(double v) {
        if (Double.isNaN(v)) return "";
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e5 || a < 1e-3)) return String.format(Locale.ROOT, "%.4g", v);
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** Metrics that count items (answers flipped against the base model): whole numbers in tables. */
    private static final Set<String> COUNTS = Set.of("flips");

    /** A metric's table cell: its value, then "± stderr" when there is one; counts as whole numbers ("30", not "30.0000"). */
    public static String metric(String name, double v, double se) {
        if (Double.isNaN(v)) return "";
        String s = COUNTS.contains(name) && v == Math.rint(v) ? Long.toString((long) v) : value(v);
        return Double.isNaN(se) ? s : s + " ± " + value(se);
    }

    public static String megabytes(long bytes) {
        return bytes < 0 ? "?" : String.format(Locale.ROOT, "%.3f", bytes / 1e6);
    }

    /** Human size: "1.2 MB", "830 kB", "512 B". */
    public static String size(long bytes) {
        if (bytes < 0) return "?";
        if (bytes < 1000) return bytes + " B";
        if (bytes < 1_000_000) return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
        if (bytes < 1_000_000_000) return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }
}
