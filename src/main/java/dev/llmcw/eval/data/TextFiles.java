package dev.llmcw.eval.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict UTF-8 text reading: invalid bytes or an unreadable file become a {@link DatasetException}.
 * A UTF-8 BOM is dropped and CRLF / lone CR become LF, so a file saved on Windows scores exactly like the same
 * text with LF (a "\r" left inside a document is a token of its own and changes the perplexity).
 */
public final class TextFiles {
    private TextFiles() {}

    public static String read(Path file) {
        if (file.toString().endsWith(".parquet")) {
            // Parquet needs a heavy dependency tree (Hadoop/Arrow) that no light Java library avoids;
            // users convert once with `python -c "import pandas; pandas.read_parquet(f).to_json(o, orient='records',
            // lines=True)"`.
            throw new DatasetException(
                    file,
                    "Parquet is not supported; convert it to JSON Lines (pandas: read_parquet(...).to_json(..., orient='records', lines=True))");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetException(file, "cannot read: " + e.getClass().getSimpleName() + " " + e.getMessage(), e);
        }
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return normalizeLineEndings(s.startsWith("\uFEFF") ? s.substring(1) : s);
        } catch (CharacterCodingException e) {
            throw new DatasetException(file, "not valid UTF-8 text", e);
        }
    }

    /** The text of a file of documents (ppl, text perplexity tasks): like {@link #read}, and a file with no text is an error. */
    public static String readDocuments(Path file) {
        String s = read(file);
        if (s.isBlank()) throw new DatasetException(file, "the file has no text (it is empty or only whitespace)");
        return s;
    }

    static String normalizeLineEndings(String s) {
        return s.indexOf('\r') < 0 ? s : s.replace("\r\n", "\n").replace('\r', '\n');
    }

    /** Lines without their terminators ("\n" or "\r\n"); a final terminator does not add an empty line. */
    public static List<String> lines(Path file) {
        String s = read(file);
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                int end = i > start && s.charAt(i - 1) == '\r' ? i - 1 : i;
                out.add(s.substring(start, end));
                start = i + 1;
            }
        }
        if (start < s.length()) {
            String last = s.substring(start);
            out.add(last.endsWith("\r") ? last.substring(0, last.length() - 1) : last);
        }
        return out;
    }

    /** A labels file: one integer per non-blank line (PIQA valid-labels.lst, WinoGrande dev-labels.lst). */
    public static List<Integer> labels(Path file) {
        List<String> lines = lines(file);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String s = lines.get(i).trim();
            if (s.isEmpty()) continue;
            try {
                out.add(Integer.parseInt(s));
            } catch (NumberFormatException e) {
                throw new DatasetException(file, i + 1, "label is not an integer: \"" + s + "\"");
            }
        }
        return out;
    }
}
