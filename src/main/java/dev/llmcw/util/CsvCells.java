package dev.llmcw.util;

import java.util.regex.Pattern;

/**
 * One CSV cell, quoted where RFC 4180 needs it and defused against spreadsheet formula injection:
 * a cell starting with {@code = + - @}, tab or CR is prefixed with {@code '} (OWASP's rule), unless
 * it parses as a plain number, so that negative values stay numbers.
 */
public final class CsvCells {
    private CsvCells() {}

    private static final Pattern NUMBER =
            Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?(Infinity|NaN)");

    public static String cell(String s) {
        if (s == null || s.isEmpty()) return "";
        char c = s.charAt(0);
        if ((c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r')
                && !NUMBER.matcher(s).matches()) s = "'" + s;
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
