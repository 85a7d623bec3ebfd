package dev.llmcw.eval.tasks;

import dev.llmcw.eval.data.DatasetException;
import dev.llmcw.eval.data.DatasetFiles;
import dev.llmcw.eval.data.TextFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A multiple-choice cloze task built deterministically from any corpus of blank-line-separated
 * documents (TinyStories by default), for models too small to rise above chance on PIQA/HellaSwag.
 *
 * <p>Construction: each document is split into sentences (a sentence ends at . ! or ? — optionally
 * followed by a closing quote — before whitespace and an upper-case letter or opening quote). Every
 * document with at least k+1 sentences gives one item: context = its first k sentences joined by " ",
 * the true choice = sentence k+1, and n−1 distractors = sentences drawn from OTHER documents (never
 * their first sentence, never a text that occurs in the item's own document) whose length is within ±25% of the true
 * sentence's (widened to the nearest lengths when too few), chosen and placed with a
 * SplittableRandom seeded by (seed, document index), so an item does not depend on other items.
 * Scoring is lm-eval's multiple choice: continuation " " + sentence, acc and acc_norm; chance = 1/n.
 */
public final class ClozeTask implements MultipleChoiceTask {
    private final String name;
    private final Path corpus; // null: TinyStories found in the data folder
    private final int contextSentences;
    private final int choices;
    private final long seed;

    public ClozeTask(String name, Path corpus, int contextSentences, int choices, long seed) {
        if (contextSentences < 1) throw new IllegalArgumentException("cloze needs at least one context sentence");
        if (choices < 2) throw new IllegalArgumentException("cloze needs at least two choices");
        this.name = name;
        this.corpus = corpus;
        this.contextSentences = contextSentences;
        this.choices = choices;
        this.seed = seed;
    }

    public static ClozeTask tinyStories(long seed) {
        return new ClozeTask("cloze", null, 3, 4, seed);
    }

    @Override
    public String name() {
        return name;
    }

    /** Construction parameters are part of the version: they change the items. */
    @Override
    public String version() {
        return "1.0-k" + contextSentences + "-n" + choices + "-s" + seed;
    }

    @Override
    public boolean reportsAccNorm() {
        return true;
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("chance", Double.toString(1.0 / choices));
        d.put(
                "construction",
                "context = first " + contextSentences + " sentences of a document; choices = true next sentence + "
                        + (choices - 1) + " same-length (±25%) sentences from other documents; seed " + seed);
        return d;
    }

    @Override
    public List<McItem> load(Path dataDir) {
        Path f = corpus != null
                ? corpus
                : DatasetFiles.require(
                        dataDir,
                        name,
                        List.of("tinystories", "TinyStories"),
                        List.of("tinystories_val_subset.txt", "TinyStories-valid.txt", "tinystories_valid.txt"));
        List<McItem> items = build(TextPerplexityTask.splitDocuments(TextFiles.read(f)));
        if (items.isEmpty())
            throw new DatasetException(
                    f, "no document has " + (contextSentences + 1) + " sentences to build a cloze item from");
        return items;
    }

    private record Pooled(int doc, String text, int length) {}

    public List<McItem> build(List<String> documents) {
        List<List<String>> sentences =
                documents.stream().map(ClozeTask::sentences).toList();
        List<Pooled> pool = new ArrayList<>();
        for (int d = 0; d < sentences.size(); d++) {
            List<String> s = sentences.get(d);
            for (int i = 1; i < s.size(); i++)
                pool.add(new Pooled(d, s.get(i), s.get(i).length()));
        }
        pool.sort((a, b) -> a.length != b.length ? Integer.compare(a.length, b.length) : a.text.compareTo(b.text));
        List<McItem> items = new ArrayList<>();
        for (int d = 0; d < sentences.size(); d++) {
            List<String> s = sentences.get(d);
            if (s.size() <= contextSentences) continue;
            String truth = s.get(contextSentences);
            SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + d);
            List<String> distractors = distractors(pool, d, new HashSet<>(s), truth, rnd);
            if (distractors.size() < choices - 1) continue;
            int gold = rnd.nextInt(choices);
            List<String> opts = new ArrayList<>(distractors);
            opts.add(gold, truth);
            String context = String.join(" ", s.subList(0, contextSentences));
            items.add(McItem.sharedContext("doc" + d, context, opts, gold));
        }
        return items;
    }

    private List<String> distractors(List<Pooled> pool, int doc, Set<String> own, String truth, SplittableRandom rnd) {
        int len = truth.length();
        int lo = lowerBound(pool, (int) Math.floor(len * 0.75));
        int hi = lowerBound(pool, (int) Math.ceil(len * 1.25) + 1);
        List<String> cand = new ArrayList<>();
        Set<String> seen = new HashSet<>(own); // never a sentence of the item's own document
        for (int i = lo; i < hi; i++) {
            Pooled p = pool.get(i);
            if (p.doc != doc && seen.add(p.text)) cand.add(p.text);
        }
        // Too few in the band: widen outwards by nearest length.
        int left = lo - 1, right = hi;
        while (cand.size() < choices - 1 && (left >= 0 || right < pool.size())) {
            Pooled p;
            if (right >= pool.size() || (left >= 0 && len - pool.get(left).length <= pool.get(right).length - len))
                p = pool.get(left--);
            else p = pool.get(right++);
            if (p.doc != doc && seen.add(p.text)) cand.add(p.text);
        }
        List<String> out = new ArrayList<>(choices - 1);
        for (int k = 0; k < choices - 1 && !cand.isEmpty(); k++) {
            int j = rnd.nextInt(cand.size());
            out.add(cand.get(j));
            cand.set(j, cand.getLast());
            cand.removeLast();
        }
        return out;
    }

    private static int lowerBound(List<Pooled> pool, int length) {
        int lo = 0, hi = pool.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (pool.get(mid).length < length) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** Sentence split: [.!?] plus optional closing quote, whitespace, then an upper-case letter or opening quote. */
    public static List<String> sentences(String doc) {
        String text = doc.replace('\n', ' ').strip();
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '.' && c != '!' && c != '?') continue;
            int end = i + 1;
            while (end < text.length() && isClosingQuote(text.charAt(end))) end++;
            int next = end;
            while (next < text.length() && Character.isWhitespace(text.charAt(next))) next++;
            if (next == end || next >= text.length()) continue;
            char n = text.charAt(next);
            if (Character.isUpperCase(n) || n == '"' || n == '\u201c' || n == '\'' || n == '\u2018') {
                out.add(text.substring(start, end).strip());
                start = next;
                i = next - 1;
            }
        }
        if (start < text.length()) out.add(text.substring(start).strip());
        out.removeIf(String::isEmpty);
        return out;
    }

    private static boolean isClosingQuote(char c) {
        return c == '"' || c == '\u201d' || c == '\'' || c == '\u2019';
    }
}
