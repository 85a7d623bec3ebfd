package dev.llmcw.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadataNode;

/** Writes a PNG with its resolution in the pHYs chunk, so word processors place it at its printed size. */
final class PngWithDpi {
    private static final double METRES_PER_INCH = 0.0254;

    private PngWithDpi() {}

    static void write(BufferedImage img, int dpi, OutputStream out, Path file) throws IOException {
        var writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) throw new IOException(file + ": no PNG writer available");
        var writer = writers.next();
        try (var ios = ImageIO.createImageOutputStream(out)) {
            var params = writer.getDefaultWriteParam();
            var meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), params);
            String perMetre = Long.toString(Math.round(dpi / METRES_PER_INCH));
            var phys = new IIOMetadataNode("pHYs");
            phys.setAttribute("pixelsPerUnitXAxis", perMetre);
            phys.setAttribute("pixelsPerUnitYAxis", perMetre);
            phys.setAttribute("unitSpecifier", "meter");
            var root = new IIOMetadataNode("javax_imageio_png_1.0");
            root.appendChild(phys);
            meta.mergeTree("javax_imageio_png_1.0", root);
            writer.setOutput(ios);
            writer.write(null, new IIOImage(img, null, meta), params);
        } finally {
            writer.dispose();
        }
    }
}
