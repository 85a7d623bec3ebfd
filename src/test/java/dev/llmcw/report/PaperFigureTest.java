package dev.llmcw.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lowagie.text.pdf.PdfReader;
import com.lowagie.text.pdf.parser.PdfTextExtractor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.metadata.IIOMetadataNode;
import org.assertj.core.data.Offset;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/** Figures for papers: selectable PDF text, SVG grid lines, PNG at a chosen DPI and size. */
class PaperFigureTest {
    @TempDir
    Path dir;

    private static JFreeChart chart() {
        var pts = ChartPoints.of(ReportFixtures.rows(), "piqa", "acc");
        return WorkbenchCharts.accuracyVsBits("piqa", "acc", pts, List.of());
    }

    @Test
    void pdfTextIsSelectableAndFontsAreEmbedded() throws Exception {
        Path pdf = dir.resolve("f.pdf");
        ChartExport.write(chart(), pdf, FigureSize.TWO_COLUMNS);
        ChartFiles.assertValidPdf(pdf);
        var reader = new PdfReader(pdf.toString());
        try {
            String text = new PdfTextExtractor(reader).getTextFromPage(1);
            assertThat(text).contains("Bits per weight");
            var page = reader.getPageSize(1);
            assertThat(page.getWidth()).isEqualTo(7f * 72, Offset.offset(0.5f));
        } finally {
            reader.close();
        }
        String raw = new String(Files.readAllBytes(pdf), StandardCharsets.ISO_8859_1);
        if (Files.exists(Path.of(PdfFonts.DEJAVU_SANS)))
            assertThat(raw).contains("/FontFile2").contains("DejaVuSans");
    }

    @Test
    void svgHasTheGridLines() throws Exception {
        Path svg = dir.resolve("f.svg");
        ChartExport.write(chart(), svg, FigureSize.ONE_COLUMN);
        assertThat(gridLines(svg)).as("grid lines in the SVG").isGreaterThanOrEqualTo(6);
        assertThat(ChartFiles.assertValidSvg(svg).getDocumentElement().getAttribute("width"))
                .isIn("252pt", "252.0pt");
        Path screen = dir.resolve("s.svg");
        ChartExport.write(chart(), screen, ChartExport.DEFAULT_WIDTH, ChartExport.DEFAULT_HEIGHT);
        assertThat(gridLines(screen)).as("grid lines in the screen-size SVG").isGreaterThanOrEqualTo(6);
    }

    private static int gridLines(Path svg) throws Exception {
        var doc = ChartFiles.assertValidSvg(svg);
        int grid = 0;
        for (String tag : List.of("line", "path")) {
            var nodes = doc.getElementsByTagNameNS("*", tag);
            for (int i = 0; i < nodes.getLength(); i++) {
                var e = (Element) nodes.item(i);
                String style = e.getAttribute("style");
                // a grid line that renderers draw: solid, at least one unit wide, a valid miter limit
                if (style.contains("rgb(226,226,226)")
                        && style.contains("stroke-width:1.0")
                        && !style.contains("dasharray")
                        && !style.contains("stroke-miterlimit:0")) grid++;
            }
        }
        return grid;
    }

    @Test
    void pngHasTheRequestedSizeAndDpi() throws Exception {
        Path png = dir.resolve("f.png");
        ChartExport.write(chart(), png, new FigureSize(3.5, 2.5, 300));
        var img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(1050);
        assertThat(img.getHeight()).isEqualTo(750);
        try (var in = ImageIO.createImageInputStream(png.toFile())) {
            var r = ImageIO.getImageReadersByFormatName("png").next();
            r.setInput(in);
            var root = (IIOMetadataNode) r.getImageMetadata(0).getAsTree("javax_imageio_png_1.0");
            var phys = (IIOMetadataNode) root.getElementsByTagName("pHYs").item(0);
            assertThat(phys).as("pHYs chunk").isNotNull();
            assertThat(phys.getAttribute("unitSpecifier")).isEqualTo("meter");
            assertThat(Integer.parseInt(phys.getAttribute("pixelsPerUnitXAxis")))
                    .isEqualTo(11811); // 300 / 0.0254
        }
    }

    @Test
    void figureSizesParseFromPresetsAndCustomText() {
        assertThat(FigureSize.parse("one-column")).isEqualTo(FigureSize.ONE_COLUMN);
        assertThat(FigureSize.parse("two-columns")).isEqualTo(FigureSize.TWO_COLUMNS);
        assertThat(FigureSize.parse("5x3@600")).isEqualTo(new FigureSize(5, 3, 600));
        assertThat(FigureSize.parse("5x3in")).isEqualTo(new FigureSize(5, 3, FigureSize.DEFAULT_DPI));
        assertThatThrownBy(() -> FigureSize.parse("huge"))
                .hasMessageContaining("huge")
                .hasMessageContaining("figure size");
        assertThatThrownBy(() -> new FigureSize(0, 3, 300)).hasMessageContaining("figure size");
    }

    @Test
    void legendEntriesShowMethodAndSettings() {
        var plot = (XYPlot) chart().getPlot();
        var labels = new ArrayList<String>();
        var items = plot.getLegendItems();
        for (int i = 0; i < items.getItemCount(); i++) labels.add(items.get(i).getLabel());
        assertThat(labels)
                .contains("SeedLM C12 P4 K16, C8 P3 K16", "RTN 4-bit g64"); // settings in the order of the x axis
        assertThat(LegendSettings.compact(Map.of(
                        "bits",
                        "4",
                        "group",
                        "128",
                        "hadamard",
                        "false",
                        "clip",
                        "none",
                        "keep_dtype",
                        "bf16",
                        "sym",
                        "true")))
                .isEqualTo("4-bit g128 sym");
        assertThat(LegendSettings.entry(
                        "rtn", List.of("2-bit g8", "3-bit g8", "4-bit g8", "5-bit g8", "6-bit g8", "8-bit g8")))
                .isEqualTo("RTN 2-bit g8, 3-bit g8, 4-bit g8, 5-bit g8, 6-bit g8, …");
    }
}
