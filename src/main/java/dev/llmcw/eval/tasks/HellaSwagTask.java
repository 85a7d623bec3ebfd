package dev.llmcw.eval.tasks;

import dev.llmcw.eval.data.DatasetException;
import dev.llmcw.eval.data.DatasetFiles;
import dev.llmcw.eval.data.Jsonl;
import dev.llmcw.eval.data.TextFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * HellaSwag validation (lm-eval task hellaswag, version 1.0). lm-eval builds
 * query = preprocess(activity_label + ": " + ctx_a + " " + capitalize(ctx_b)) and choices =
 * preprocess(ending), continuation " " + choice, acc and acc_norm.
 *
 * <p>Two input formats: the upstream JSON Lines (ctx_a, ctx_b, activity_label, endings, label), which
 * reproduces lm-eval exactly, and llama.cpp's 6-lines-per-item text (context, gold, four endings), whose
 * context is already preprocessed but was built WITHOUT capitalising ctx_b ("...on a roof. he"). ctx_b
 * cannot be recovered exactly from that line, so {@link #capitaliseTrailingFragment} re-creates lm-eval's
 * query by Python-capitalising the trailing fragment after the last sentence end when it starts in
 * lower case — in the ActivityNet items that fragment is ctx_b ("he", "the lady", "black spots on her
 * faced"). Unavoidable differences from lm-eval remain when ctx_a does not end a sentence (the fragment
 * then also covers ctx_a's tail), and when an upper-case ctx_b had later upper-case letters that Python's
 * capitalize would have lowered; WikiHow items mostly have an empty ctx_b and are unaffected.
 */
public final class HellaSwagTask implements MultipleChoiceTask {
    private static final Pattern BRACKETS = Pattern.compile("\\[.*?\\]");

    @Override
    public String name() {
        return "hellaswag";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public boolean reportsAccNorm() {
        return true;
    }

    @Override
    public List<McItem> load(Path dataDir) {
        Path f = DatasetFiles.require(
                dataDir,
                name(),
                List.of("hellaswag"),
                List.of("hellaswag_val.jsonl", "validation.jsonl", "hellaswag_val_full.txt"));
        return f.getFileName().toString().endsWith(".txt") ? readLlamaCppText(f) : readJsonl(f);
    }

    /** lm-eval's hellaswag utils.preprocess. */
    public static String preprocess(String text) {
        text = text.strip();
        text = text.replace(" [title]", ". ");
        text = BRACKETS.matcher(text).replaceAll("");
        text = text.replace("  ", " ");
        return text;
    }

    /** Python str.capitalize(): first character title-cased, the rest lower-cased. */
    public static String capitalize(String s) {
        if (s.isEmpty()) return s;
        int first = s.codePointAt(0);
        int n = Character.charCount(first);
        return new StringBuilder()
                .appendCodePoint(Character.toTitleCase(first))
                .append(s.substring(n).toLowerCase(Locale.ROOT))
                .toString();
    }

    public static String query(String activityLabel, String ctxA, String ctxB) {
        return preprocess(activityLabel + ": " + ctxA + " " + capitalize(ctxB));
    }

    public static List<McItem> readJsonl(Path jsonl) {
        List<McItem> items = new ArrayList<>();
        for (Jsonl.Row r : Jsonl.read(jsonl)) {
            String q = query(r.text("activity_label"), r.text("ctx_a"), r.text("ctx_b"));
            List<String> endings =
                    r.texts("endings").stream().map(HellaSwagTask::preprocess).toList();
            for (String e : endings) if (e.isEmpty()) throw r.error("empty ending");
            if (endings.size() < 2) throw r.error("fewer than two endings");
            int label = r.integer("label");
            if (label < 0 || label >= endings.size())
                throw r.error("label " + label + " out of range for " + endings.size() + " endings");
            items.add(McItem.sharedContext(Integer.toString(items.size()), q, endings, label));
        }
        return items;
    }

    /** llama.cpp's hellaswag_val_full.txt: per item a context line, the gold index 0-3 and four endings. */
    public static List<McItem> readLlamaCppText(Path txt) {
        List<String> lines = TextFiles.lines(txt);
        int n = lines.size();
        while (n > 0 && lines.get(n - 1).isEmpty()) n--;
        if (n == 0) throw new DatasetException(txt, "no items");
        if (n % 6 != 0) throw new DatasetException(txt, n, "expected 6 lines per item, file has " + n + " lines");
        List<McItem> items = new ArrayList<>(n / 6);
        for (int at = 0; at < n; at += 6) {
            String ctx = lines.get(at);
            if (ctx.isBlank()) throw new DatasetException(txt, at + 1, "empty context");
            int gold;
            try {
                gold = Integer.parseInt(lines.get(at + 1).trim());
            } catch (NumberFormatException e) {
                throw new DatasetException(txt, at + 2, "gold index is not an integer: \"" + lines.get(at + 1) + "\"");
            }
            if (gold < 0 || gold > 3)
                throw new DatasetException(txt, at + 2, "gold index " + gold + " out of range 0-3");
            List<String> endings = new ArrayList<>(4);
            for (int k = 0; k < 4; k++) {
                String e = lines.get(at + 2 + k);
                if (e.isBlank()) throw new DatasetException(txt, at + 3 + k, "empty ending");
                endings.add(e);
            }
            items.add(McItem.sharedContext(
                    Integer.toString(items.size()), capitaliseTrailingFragment(ctx), endings, gold));
        }
        return items;
    }

    /**
     * Re-creates lm-eval's capitalize(ctx_b) on a context line built without it: the text after the last
     * sentence end ([.!?] and a space; or after "label: " when there is none) is Python-capitalised if it
     * starts with a lower-case letter.
     */
    public static String capitaliseTrailingFragment(String ctx) {
        int labelEnd = ctx.indexOf(": ");
        int from = labelEnd < 0 ? 0 : labelEnd + 2;
        int start = from;
        for (int i = ctx.length() - 2; i >= from; i--) {
            char c = ctx.charAt(i);
            if ((c == '.' || c == '!' || c == '?') && ctx.charAt(i + 1) == ' ') {
                start = i + 2;
                break;
            }
        }
        if (start >= ctx.length()) return ctx;
        int cp = ctx.codePointAt(start);
        if (!Character.isLowerCase(cp)) return ctx;
        return ctx.substring(0, start) + capitalize(ctx.substring(start));
    }
}
