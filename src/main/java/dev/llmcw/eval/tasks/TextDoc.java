package dev.llmcw.eval.tasks;

import dev.llmcw.util.Hashing;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * One document of a perplexity task.
 *
 * @param text  what the model scores (for wikitext: the detokenised page, as lm-eval's doc_to_target)
 * @param words word count for word_perplexity, as lm-eval counts it: len(re.split(r"\s+", original))
 * @param bytes UTF-8 byte count of the original text, for byte_perplexity and bits_per_byte
 */
public record TextDoc(String id, String text, long words, long bytes) {

    /** Python's len(re.split(r"\s+", s)): whitespace runs + 1, counting empty leading/trailing pieces. */
    public static long pythonSplitCount(String s) {
        long runs = 0;
        boolean inRun = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            boolean ws = isPythonWhitespace(cp);
            if (ws && !inRun) runs++;
            inRun = ws;
            i += Character.charCount(cp);
        }
        return runs + 1;
    }

    /** Python's str/re \s for str patterns: Unicode whitespace plus the \x1c-\x1f separators. */
    static boolean isPythonWhitespace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85 || (cp >= 0x1c && cp <= 0x1f);
    }

    public static TextDoc of(String id, String text) {
        return new TextDoc(id, text, pythonSplitCount(text), text.getBytes(StandardCharsets.UTF_8).length);
    }

    public static String fingerprint(List<TextDoc> docs) {
        MessageDigest md = Hashing.sha256();
        for (TextDoc d : docs) {
            md.update(d.id().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(d.text().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
