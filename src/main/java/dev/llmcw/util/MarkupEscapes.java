package dev.llmcw.util;

/**
 * Escaping for names (runs, models, tags) that go into Markdown and HTML reports, so a name such as
 * {@code <script>} or {@code [x](javascript:...)} shows as text instead of becoming markup or a link.
 */
public final class MarkupEscapes {
    private MarkupEscapes() {}

    /** Text for an HTML element or a quoted attribute value. */
    public static String html(String s) {
        if (s == null) return "";
        var sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * Text for a Markdown table cell or heading: HTML is neutralised as entities (no raw tags, no
     * {@code <javascript:...>} autolinks), the brackets that make a link, the emphasis star and the code
     * backtick are backslash-escaped, and a line break or pipe cannot end the cell. Underscores stay as
     * they are: inside words (acc_norm) they are not emphasis.
     */
    public static String markdown(String s) {
        if (s == null) return "";
        var sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '\n', '\r' -> sb.append(' ');
                case '\\', '`', '*', '[', ']', '|' -> sb.append('\\').append(c);
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
