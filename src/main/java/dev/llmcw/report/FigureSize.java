package dev.llmcw.report;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The printed size of an exported figure: width and height in inches, and the DPI of its PNG. The chart
 * is laid out on a canvas {@link #LAYOUT_SCALE} times its size in points and shrunk onto the page, so
 * the charts' 12 pt fonts print at 8 pt, the usual size of figure text in a paper.
 */
public record FigureSize(double widthInches, double heightInches, int dpi) {
    public static final double LAYOUT_SCALE = 1.5;
    public static final int DEFAULT_DPI = 300;
    /** One column of a two-column paper (ACL, IEEE, NeurIPS figures*). */
    public static final FigureSize ONE_COLUMN = new FigureSize(3.5, 3.0, DEFAULT_DPI);
    /** The full text width of a two-column paper. */
    public static final FigureSize TWO_COLUMNS = new FigureSize(7.0, 3.9, DEFAULT_DPI);

    private static final Pattern CUSTOM = Pattern.compile("(\\d+(?:\\.\\d+)?)x(\\d+(?:\\.\\d+)?)(?:in)?(?:@(\\d+))?");

    public FigureSize {
        if (!(widthInches > 0 && widthInches <= 100 && heightInches > 0 && heightInches <= 100))
            throw new IllegalArgumentException("figure size " + widthInches + " x " + heightInches
                    + " in: width and height must be between 0 and 100 inches");
        if (dpi < 10 || dpi > 2400)
            throw new IllegalArgumentException("figure size: " + dpi + " DPI is outside 10 to 2400");
    }

    /** {@code one-column}, {@code two-columns}, or {@code WxH[in][@DPI]} such as {@code 5x3@600}. */
    public static FigureSize parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "one-column", "1col" -> {
                return ONE_COLUMN;
            }
            case "two-columns", "two-column", "2col" -> {
                return TWO_COLUMNS;
            }
            default -> {}
        }
        var m = CUSTOM.matcher(t);
        if (!m.matches())
            throw new IllegalArgumentException(
                    "'" + text + "' is not a figure size (use one-column, two-columns or WxH[in][@DPI], e.g. 5x3@600)");
        int dpi = m.group(3) == null ? DEFAULT_DPI : Integer.parseInt(m.group(3));
        return new FigureSize(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), dpi);
    }

    public double widthPoints() {
        return widthInches * 72;
    }

    public double heightPoints() {
        return heightInches * 72;
    }

    /** The canvas the chart is laid out on, in chart units. */
    public double layoutWidth() {
        return widthPoints() * LAYOUT_SCALE;
    }

    public double layoutHeight() {
        return heightPoints() * LAYOUT_SCALE;
    }

    public int widthPixels() {
        return (int) Math.round(widthInches * dpi);
    }

    public int heightPixels() {
        return (int) Math.round(heightInches * dpi);
    }

    /** For menus and file names: {@code 3.5 × 2.45 in, 300 DPI}. */
    public String describe() {
        return String.format(Locale.ROOT, "%s × %s in, %d DPI", trim(widthInches), trim(heightInches), dpi);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
