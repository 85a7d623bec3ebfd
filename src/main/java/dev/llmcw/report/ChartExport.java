package dev.llmcw.report;

import com.lowagie.text.Document;
import com.lowagie.text.DocumentException;
import com.lowagie.text.pdf.PdfContentByte;
import com.lowagie.text.pdf.PdfWriter;
import dev.llmcw.util.AtomicFiles;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Locale;

/** Writes a chart to PNG (raster), SVG (JFreeSVG) or PDF (OpenPDF), all headless. */
public final class ChartExport {
    private ChartExport() {}

    public enum Format {
        PNG, SVG, PDF;

        public String extension() { return name().toLowerCase(Locale.ROOT); }

        public static Format ofFile(Path file) {
            String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
            for (Format f : values()) if (n.endsWith("." + f.extension())) return f;
            throw new IllegalArgumentException(file + ": unknown chart format (use .png, .svg or .pdf)");
        }
    }

    public static final int DEFAULT_WIDTH = 960;
    public static final int DEFAULT_HEIGHT = 600;

    /** Writes by the file's extension. */
    public static void write(JFreeChart chart, Path file, int width, int height) throws IOException {
        switch (Format.ofFile(file)) {
            case PNG -> png(chart, file, width, height);
            case SVG -> svg(chart, file, width, height);
            case PDF -> pdf(chart, file, width, height);
        }
    }

    /** PNG drawn at 2x for crisp text on high-density screens and in documents. */
    public static void png(JFreeChart chart, Path file, int width, int height) throws IOException {
        int scale = 2;
        var img = new BufferedImage(width * scale, height * scale, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.scale(scale, scale);
            chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        } finally {
            g.dispose();
        }
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(img, "png", out)) throw new IOException(file + ": no PNG writer available");
        });
    }

    public static void svg(JFreeChart chart, Path file, int width, int height) throws IOException {
        var g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        AtomicFiles.writeString(file, g.getSVGDocument());
    }

    /** Vector PDF; text drawn as shapes so no font embedding or mapping is needed. */
    public static void pdf(JFreeChart chart, Path file, int width, int height) throws IOException {
        var doc = new Document(new com.lowagie.text.Rectangle(width, height), 0, 0, 0, 0);
        AtomicFiles.write(file, out -> writePdf(chart, doc, out, file, width, height));
    }

    private static void writePdf(JFreeChart chart, Document doc, OutputStream out, Path file, int width, int height) throws IOException {
        try {
            PdfWriter writer = PdfWriter.getInstance(doc, out);
            doc.addTitle(chart.getTitle() == null ? "chart" : chart.getTitle().getText());
            doc.addCreator("LLM Compression Workbench");
            doc.open();
            PdfContentByte cb = writer.getDirectContent();
            Graphics2D g = cb.createGraphicsShapes(width, height);
            try {
                chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
            } finally {
                g.dispose();
            }
            doc.close();
        } catch (DocumentException e) {
            throw new IOException(file + ": cannot write PDF: " + e.getMessage(), e);
        }
    }
}
