package dev.llmcw.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;

/** Validity checks for exported chart files, shared by report and UI tests. */
public final class ChartFiles {
    private ChartFiles() {}

    public static void assertValidPng(Path p, int minWidth) throws Exception {
        byte[] b = Files.readAllBytes(p);
        assertThat(b.length).as(p + " size").isGreaterThan(5_000);
        assertThat(new byte[] {b[0], b[1], b[2], b[3]}).as(p + " PNG magic").containsExactly(0x89, 'P', 'N', 'G');
        var img = ImageIO.read(p.toFile());
        assertThat(img.getWidth()).isGreaterThanOrEqualTo(minWidth);
        // Non-trivial: a real chart has many distinct colours, a blank image has one.
        var colours = new HashSet<Integer>();
        for (int y = 0; y < img.getHeight(); y += 3)
            for (int x = 0; x < img.getWidth(); x += 3) colours.add(img.getRGB(x, y));
        assertThat(colours.size()).as(p + " distinct colours").isGreaterThan(20);
    }

    public static Document assertValidSvg(Path p) throws Exception {
        assertThat(Files.size(p)).as(p + " size").isGreaterThan(2_000);
        var f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        // JFreeSVG writes the SVG 1.1 DOCTYPE; do not fetch the DTD (offline, and validity is not the point).
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        var doc = f.newDocumentBuilder().parse(p.toFile());
        assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(doc.getElementsByTagNameNS("*", "path").getLength()
                        + doc.getElementsByTagNameNS("*", "line").getLength())
                .as("drawn elements")
                .isGreaterThan(10);
        return doc;
    }

    public static void assertValidPdf(Path p) throws Exception {
        byte[] b = Files.readAllBytes(p);
        assertThat(b.length).isGreaterThan(2_000);
        assertThat(new String(b, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        assertThat(new String(b, b.length - 7, 7, StandardCharsets.US_ASCII)).contains("%%EOF");
    }
}
