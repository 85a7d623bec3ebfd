package dev.llmcw.report;

import com.lowagie.text.pdf.BaseFont;
import com.lowagie.text.pdf.DefaultFontMapper;
import com.lowagie.text.pdf.FontMapper;
import java.awt.Font;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps the charts' AWT fonts to PDF fonts so exported text stays text: DejaVu Sans from Debian's
 * fonts-dejavu-core, embedded as TrueType, when installed; otherwise the PDF standard Helvetica, which
 * every reader has (selectable, not embedded).
 */
final class PdfFonts implements FontMapper {
    static final String DEJAVU_DIR = "/usr/share/fonts/truetype/dejavu/";
    static final String DEJAVU_SANS = DEJAVU_DIR + "DejaVuSans.ttf";

    private final DefaultFontMapper fallback = new DefaultFontMapper();
    private final Map<String, BaseFont> loaded = new ConcurrentHashMap<>();

    @Override
    public BaseFont awtToPdf(Font font) {
        String file = DEJAVU_DIR
                + switch (font.getStyle()) {
                    case Font.BOLD -> "DejaVuSans-Bold.ttf";
                    case Font.ITALIC -> "DejaVuSans-Oblique.ttf";
                    case Font.BOLD | Font.ITALIC -> "DejaVuSans-BoldOblique.ttf";
                    default -> "DejaVuSans.ttf";
                };
        if (!Files.isReadable(Path.of(file))) return fallback.awtToPdf(font);
        return loaded.computeIfAbsent(file, f -> {
            try {
                return BaseFont.createFont(f, BaseFont.IDENTITY_H, BaseFont.EMBEDDED);
            } catch (Exception e) {
                return fallback.awtToPdf(font);
            }
        });
    }

    @Override
    public Font pdfToAwt(BaseFont font, int size) {
        return fallback.pdfToAwt(font, size);
    }
}
