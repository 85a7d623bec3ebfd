package dev.llmcw.eval;

import dev.llmcw.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * lm-evaluation-harness request building, token for token (HFLM._encode_pair, loglikelihood,
 * get_rolling_token_windows + make_disjoint_window, _loglikelihood_tokens' left truncation).
 */
public final class LmEvalRequests {
    private final Tokenizer tokenizer;
    private final boolean bos;

    /** @param prependBos prepend the tokenizer's BOS to every non-empty context (--bos on) */
    public LmEvalRequests(Tokenizer tokenizer, boolean prependBos) {
        this.tokenizer = tokenizer;
        this.bos = prependBos && tokenizer.bosId() >= 0;
    }

    public boolean prependsBos() {
        return bos;
    }

    /** Token ids of one request. */
    public record Encoded(int[] context, int[] continuation) {}

    /**
     * _encode_pair: trailing spaces of the context move to the front of the continuation; the
     * continuation tokens are enc(ctx + cont)[len(enc(ctx)):], so merges across the boundary are
     * the whole string's. An empty context becomes the prefix token (BOS, or EOS without one).
     */
    public Encoded encode(String context, String continuation) {
        if (context.isEmpty()) return new Encoded(new int[] {prefixToken(tokenizer)}, tokenizer.encode(continuation));
        int n = context.length();
        int keep = n;
        while (keep > 0 && Character.isWhitespace(context.charAt(keep - 1))) keep--;
        // Python rstrip() strips Unicode whitespace; Character.isWhitespace covers the cases in these datasets.
        if (keep < n) {
            continuation = context.substring(keep) + continuation;
            context = context.substring(0, keep);
        }
        int[] whole = tokenizer.encode(context + continuation);
        int[] ctx = tokenizer.encode(context);
        int[] cont = ctx.length <= whole.length ? Arrays.copyOfRange(whole, ctx.length, whole.length) : new int[0];
        if (bos) ctx = prepend(tokenizer.bosId(), ctx);
        return new Encoded(ctx, cont);
    }

    /**
     * HFLM.prefix_token_id: the token that stands in for an empty context and starts the first rolling
     * window — BOS when the vocabulary has one, else EOS (harness ≤ 0.4.2 always used EOT).
     */
    public static int prefixToken(Tokenizer t) {
        if (t.bosId() >= 0) return t.bosId();
        if (t.eosId() >= 0) return t.eosId();
        throw new IllegalStateException("tokenizer has neither BOS nor EOS for an empty context");
    }

    /**
     * Left truncation in _loglikelihood_tokens: the model sees (ctx + cont)[-(maxLen+1):][:-1], i.e. the
     * context is cut from the left so that ctx + cont fits in maxLen + 1 tokens.
     */
    public static int[] truncateContext(int[] context, int continuationLength, int maxLength) {
        if (continuationLength > maxLength) {
            throw new IllegalStateException("continuation of " + continuationLength + " tokens exceeds the max length "
                    + maxLength + " (lm-eval asserts this too)");
        }
        int keep = maxLength + 1 - continuationLength;
        return context.length <= keep ? context : Arrays.copyOfRange(context, context.length - keep, context.length);
    }

    /**
     * get_rolling_token_windows(token_list, prefix_token, max_seq_len, context_len=1) followed by
     * make_disjoint_window: the first window is [prefix] → tokens[:L]; later windows predict the next up
     * to L tokens from the token before them, the last window getting whatever earlier context fits in L.
     */
    public static List<Encoded> rollingWindows(int[] tokens, int prefixToken, int maxLength) {
        List<Encoded> out = new ArrayList<>();
        if (tokens.length == 0) return out;
        int predLen = maxLength; // max_seq_len - context_len + 1 with context_len = 1
        int first = Math.min(maxLength, tokens.length);
        // ([prefix] + tokens[:first-1], tokens[:first]) made disjoint keeps just [prefix] as context.
        out.add(new Encoded(new int[] {prefixToken}, Arrays.copyOfRange(tokens, 0, first)));
        int predicted = first;
        while (predicted < tokens.length) {
            int windowPred = Math.min(tokens.length - predicted, predLen);
            int windowEnd = predicted + windowPred;
            int ctxStart = Math.max(0, windowEnd - maxLength - 1);
            int[] ctxFull = Arrays.copyOfRange(tokens, ctxStart, windowEnd - 1);
            // make_disjoint_window: a[:len(a) - (len(b) - 1)]
            int[] ctx = Arrays.copyOfRange(ctxFull, 0, ctxFull.length - (windowPred - 1));
            out.add(new Encoded(ctx, Arrays.copyOfRange(tokens, windowEnd - windowPred, windowEnd)));
            predicted += windowPred;
        }
        return out;
    }

    static int[] prepend(int first, int[] rest) {
        int[] r = new int[rest.length + 1];
        r[0] = first;
        System.arraycopy(rest, 0, r, 1, rest.length);
        return r;
    }
}
