package dev.llmcw.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.regex.Pattern;

/**
 * Added/special tokens that are matched verbatim in the text before BPE runs (Hugging Face
 * added_tokens, GGUF control and user-defined tokens). Longer tokens win where several match.
 */
final class SpecialTokens {
    static final SpecialTokens NONE = new SpecialTokens(Map.of());

    private final Map<String, Integer> ids;
    private final Pattern pattern;

    SpecialTokens(Map<String, Integer> ids) {
        this.ids = Map.copyOf(ids);
        List<String> sorted = new ArrayList<>(this.ids.keySet());
        sorted.removeIf(String::isEmpty);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        this.pattern = sorted.isEmpty()
                ? null
                : Pattern.compile(
                        String.join("|", sorted.stream().map(Pattern::quote).toList()));
    }

    boolean isEmpty() {
        return pattern == null;
    }

    Map<String, Integer> ids() {
        return ids;
    }

    /**
     * Splits text into pieces: plain text goes to {@code text}, each special token's id to {@code special}.
     * The callbacks are called in text order.
     */
    void split(String s, Consumer<String> text, IntConsumer special) {
        if (pattern == null) {
            if (!s.isEmpty()) text.accept(s);
            return;
        }
        var m = pattern.matcher(s);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) text.accept(s.substring(last, m.start()));
            special.accept(ids.get(m.group()));
            last = m.end();
        }
        if (last < s.length()) text.accept(s.substring(last));
    }
}
