package dev.llmcw.eval.tasks;

import dev.llmcw.eval.data.DatasetFiles;
import dev.llmcw.eval.data.TextFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * WikiText-2 raw test text shared by both perplexity protocols: finding the file, restoring the blank
 * rows that the shared copy dropped, splitting into articles, and lm-eval's detokenizer.
 *
 * <p>The original wiki.test.raw has a blank " " line before and after every heading; the shared copy
 * has all blank lines removed (2891 of 4358 rows kept). {@link #rows} puts a blank row back around each
 * heading, which restores 1412 of the 1467 blank rows (the other 55 cannot be placed from the data). The
 * effect on lm-eval's wikitext numbers is limited to those newline tokens: word counts are unchanged
 * (re.split on whitespace runs), byte counts differ by 2 bytes per missing blank line (110 of 1.29 MB).
 */
public final class WikiText {
    private static final List<String> NAMES = List.of("wiki.test.raw", "wikitext-2-raw/wiki.test.raw");

    private WikiText() {}

    public static Path find(Path dataDir) {
        return DatasetFiles.require(dataDir, "wikitext", List.of("wikitext2", "wikitext-2-raw", "wikitext"), NAMES);
    }

    static boolean isHeading(String line) {
        String r = line.replace("= = =", "===").replace("= =", "==").strip();
        return r.startsWith("= ") && r.endsWith(" =");
    }

    static boolean isTopLevelHeading(String line) {
        // wikitext_document_level's rule: after collapsing "= = =" and "= =", only "= Title =" remains with "= " ... "
        // =".
        return isHeading(line);
    }

    /**
     * Raw lines as in the original file (without line terminators). If the file has no blank lines (the
     * shared copy), a " " blank line is put before and after each heading line.
     */
    public static List<String> rows(Path file) {
        List<String> lines = TextFiles.lines(file);
        boolean hasBlank = lines.stream().anyMatch(String::isBlank);
        if (hasBlank) return lines;
        List<String> out = new ArrayList<>(lines.size() * 3 / 2);
        for (String l : lines) {
            boolean heading = l.strip().startsWith("= ") && l.strip().endsWith(" =");
            if (heading) out.add(" ");
            out.add(l);
            if (heading) out.add(" ");
        }
        return out;
    }

    /**
     * EleutherAI/wikitext_document_level pages: lines from one top-level heading ("= Title =") to the
     * next, joined with "\n"; leading text before the first heading is dropped when blank.
     */
    public static List<String> pages(List<String> rows) {
        List<String> pages = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        for (String line : rows) {
            if (isTopLevelHeading(line)) {
                String page = String.join("\n", cur);
                if (!page.isBlank()) pages.add(page);
                cur = new ArrayList<>();
            }
            cur.add(line);
        }
        String page = String.join("\n", cur);
        if (!page.isBlank()) pages.add(page);
        return pages;
    }

    private static final Pattern S_QUOTE_NUM = Pattern.compile("/' [0-9]/");
    private static final Pattern PARENS = Pattern.compile("\\(\\s*([^\\)]*?)\\s*\\)");
    private static final Pattern BRACKETS = Pattern.compile("\\[\\s*([^\\]]*?)\\s*\\]");
    private static final Pattern BRACES = Pattern.compile("\\{\\s*([^}]*?)\\s*\\}");
    private static final Pattern DQUOTES = Pattern.compile("\"\\s*([^\"]*?)\\s*\"");
    private static final Pattern SQUOTES = Pattern.compile("'\\s*([^']*?)\\s*'");

    /** lm-eval's wikitext preprocess_wikitext.wikitext_detokenizer, step by step. */
    public static String detokenize(String string) {
        string = string.replace("s '", "s'");
        string = S_QUOTE_NUM.matcher(string).replaceAll("/'[0-9]/");
        string = string.replace(" @-@ ", "-");
        string = string.replace(" @,@ ", ",");
        string = string.replace(" @.@ ", ".");
        string = string.replace(" : ", ": ");
        string = string.replace(" ; ", "; ");
        string = string.replace(" . ", ". ");
        string = string.replace(" ! ", "! ");
        string = string.replace(" ? ", "? ");
        string = string.replace(" , ", ", ");
        string = PARENS.matcher(string).replaceAll("($1)");
        string = BRACKETS.matcher(string).replaceAll("[$1]");
        string = BRACES.matcher(string).replaceAll("{$1}");
        string = DQUOTES.matcher(string).replaceAll("\"$1\"");
        string = SQUOTES.matcher(string).replaceAll("'$1'");
        string = string.replace("= = = =", "====");
        string = string.replace("= = =", "===");
        string = string.replace("= =", "==");
        string = string.replace(" \u00b0 ", "\u00b0");
        string = string.replace(" \n", "\n");
        string = string.replace("\n ", "\n");
        string = string.replace(" N ", " 1 ");
        string = string.replace(" 's", "'s");
        return string;
    }
}
