package dev.llmcw.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Document-level perplexity on a {@link Scorer}: every document is scored on its own as
 * BOS + its tokens, predicting every token after BOS. A document longer than the window is cut into
 * non-overlapping pieces of at most maxLength-1 tokens and each piece is scored after a fresh BOS
 * (no carried-over context): simple and reproducible, at the price of a slightly higher perplexity
 * than a sliding window would give at piece boundaries.
 */
public final class Perplexity {
    /** How a text file is split into documents. */
    public enum Documents {
        BLANK_LINE,
        LINE,
        WHOLE
    }

    /** Total negative log-likelihood (nats) over {@code tokens} predicted tokens. */
    public record Result(double nll, long tokens, int documents) {
        public double perplexity() {
            return tokens == 0 ? Double.NaN : Math.exp(nll / tokens);
        }
    }

    private final Scorer scorer;
    private final int bos;
    private final int window;
    private double nll;
    private long tokens;
    private int documents;

    /**
     * @param bos       token that starts every window; if negative, a document's first token serves as
     *                  its context and is itself not scored
     * @param maxLength tokens per window including the BOS (at most the scorer's max length + 1)
     */
    public Perplexity(Scorer scorer, int bos, int maxLength) {
        if (maxLength < 2) throw new IllegalArgumentException("max length must be at least 2, got " + maxLength);
        this.scorer = scorer;
        this.bos = bos;
        this.window = (int) Math.min(maxLength, scorer.maxLength() + 1L); // long: maxLength() may be 2^31-1
    }

    /** Scores one document's tokens (without BOS). */
    public void add(int[] doc) {
        int[] ctx;
        int from;
        if (bos >= 0) {
            ctx = new int[] {bos};
            from = 0;
        } else {
            if (doc.length < 2) return;
            ctx = new int[] {doc[0]};
            from = 1;
        }
        if (from >= doc.length) return;
        documents++;
        int piece = window - 1;
        for (int start = from; start < doc.length; start += piece) {
            int[] cont = Arrays.copyOfRange(doc, start, Math.min(doc.length, start + piece));
            if (start > from && bos < 0) {
                // no BOS to restart from: the piece's first token becomes its context
                if (cont.length < 2) break;
                ctx = new int[] {cont[0]};
                cont = Arrays.copyOfRange(cont, 1, cont.length);
            }
            Scorer.ContinuationScore s = scorer.score(ctx, new int[][] {cont}, false)[0];
            nll -= s.sum();
            tokens += cont.length;
        }
    }

    public Result result() {
        return new Result(nll, tokens, documents);
    }

    private static final Pattern BLANK_LINES = Pattern.compile("\\r?\\n[ \\t]*\\r?\\n");

    /** Splits a text into non-empty documents (trimmed). */
    public static List<String> split(String text, Documents mode) {
        List<String> out = new ArrayList<>();
        String[] parts = switch (mode) {
            case BLANK_LINE -> BLANK_LINES.split(text);
            case LINE -> text.split("\\r?\\n");
            case WHOLE -> new String[] {text};
        };
        for (String p : parts) {
            String t = p.strip();
            if (!t.isEmpty()) out.add(t);
        }
        return out;
    }
}
