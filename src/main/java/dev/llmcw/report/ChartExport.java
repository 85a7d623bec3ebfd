package dev.llmcw.report;

import com.lowagie.text.Document;
import com.lowagie.text.DocumentException;
import com.lowagie.text.Rectangle;
import com.lowagie.text.pdf.PdfContentByte;
import com.lowagie.text.pdf.PdfWriter;
import dev.llmcw.util.AtomicFiles;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUnits;

/** Writes a chart to PNG (raster), SVG (JFreeSVG) or PDF (OpenPDF), all headless. */
public final class ChartExport {
    private ChartExport() {}

    public enum Format {
        PNG,
        SVG,
        PDF;

        public String extension() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Format ofFile(Path file) {
            String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
            for (Format f : values()) if (n.endsWith("." + f.extension())) return f;
            throw new IllegalArgumentException(file + ": unknown chart format (use .png, .svg or .pdf)");
        }
    }

    public static final int DEFAULT_WIDTH = 960;
    public static final int DEFAULT_HEIGHT = 600;
    /** The pixel sizes of {@link #write(JFreeChart, Path, int, int)} are at 96 per inch, like a screen. */
    static final int SCREEN_DPI = 96;

    /** Writes by the file's extension. */
    public static void write(JFreeChart chart, Path file, int width, int height) throws IOException {
        switch (Format.ofFile(file)) {
            case PNG -> png(chart, file, width, height);
            case SVG -> svg(chart, file, width, height);
            case PDF -> pdf(chart, file, width, height);
        }
    }

    /** Writes by the file's extension at a printed size: PDF and SVG in points, PNG at the size's DPI. */
    public static void write(JFreeChart chart, Path file, FigureSize size) throws IOException {
        var layout = new Rectangle2D.Double(0, 0, size.layoutWidth(), size.layoutHeight());
        double toPoints = 1 / FigureSize.LAYOUT_SCALE;
        switch (Format.ofFile(file)) {
            case PNG -> writePng(chart, file, layout, size.widthPixels(), size.heightPixels(), size.dpi());
            case SVG ->
                writeSvg(
                        chart,
                        file,
                        layout,
                        new SVGGraphics2D(size.widthPoints(), size.heightPoints(), SVGUnits.PT),
                        toPoints);
            case PDF -> pdf(chart, file, layout, (float) size.widthPoints(), (float) size.heightPoints());
        }
    }

    /** PNG drawn at 2x for crisp text on high-density screens and in documents (so 192 DPI). */
    public static void png(JFreeChart chart, Path file, int width, int height) throws IOException {
        int scale = 2;
        writePng(
                chart,
                file,
                new Rectangle2D.Double(0, 0, width, height),
                width * scale,
                height * scale,
                SCREEN_DPI * scale);
    }

    private static void writePng(
            JFreeChart chart, Path file, Rectangle2D layout, int pixelsWide, int pixelsHigh, int dpi)
            throws IOException {
        var img = new BufferedImage(pixelsWide, pixelsHigh, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.scale(pixelsWide / layout.getWidth(), pixelsHigh / layout.getHeight());
            chart.draw(g, layout);
        } finally {
            g.dispose();
        }
        AtomicFiles.write(file, out -> PngWithDpi.write(img, dpi, out, file));
    }

    public static void svg(JFreeChart chart, Path file, int width, int height) throws IOException {
        writeSvg(chart, file, new Rectangle2D.Double(0, 0, width, height), new SVGGraphics2D(width, height), 1);
    }

    private static void writeSvg(JFreeChart chart, Path file, Rectangle2D layout, SVGGraphics2D g, double scale)
            throws IOException {
        g.scale(scale, scale);
        chart.draw(g, layout);
        AtomicFiles.writeString(file, g.getSVGDocument());
    }

    /** Vector PDF with the text as text (selectable, searchable), in fonts from {@link PdfFonts}. */
    public static void pdf(JFreeChart chart, Path file, int width, int height) throws IOException {
        pdf(chart, file, new Rectangle2D.Double(0, 0, width, height), width, height);
    }

    private static void pdf(JFreeChart chart, Path file, Rectangle2D layout, float pageWidth, float pageHeight)
            throws IOException {
        var doc = new Document(new Rectangle(pageWidth, pageHeight), 0, 0, 0, 0);
        AtomicFiles.write(file, out -> writePdf(chart, doc, out, file, layout));
    }

    private static void writePdf(JFreeChart chart, Document doc, OutputStream out, Path file, Rectangle2D layout)
            throws IOException {
        try {
            PdfWriter writer = PdfWriter.getInstance(doc, out);
            doc.addTitle(chart.getTitle() == null ? "chart" : chart.getTitle().getText());
            doc.addCreator("LLM Compression Workbench");
            doc.open();
            PdfContentByte cb = writer.getDirectContent();
            float w = doc.getPageSize().getWidth(), h = doc.getPageSize().getHeight();
            Graphics2D g = cb.createGraphics(w, h, new PdfFonts());
            try {
                g.scale(w / layout.getWidth(), h / layout.getHeight());
                chart.draw(g, layout);
            } finally {
                g.dispose();
            }
            doc.close();
        } catch (DocumentException e) {
            throw new IOException(file + ": cannot write PDF: " + e.getMessage(), e);
        }
    }
}
