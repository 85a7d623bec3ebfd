package dev.llmcw.eval.tasks;

import dev.llmcw.util.Hashing;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * One multiple-choice document as lm-eval turns it into loglikelihood requests: one (context,
 * continuation) request per choice. Most tasks share one context and vary the continuation
 * (" " + choice); WinoGrande's partial scoring varies the context and shares the continuation.
 *
 * @param id          stable id within the task (dataset index as a string, or the cloze story id)
 * @param requests    one per choice, in choice order
 * @param choiceTexts the choice strings as lm-eval's doc_to_choice returns them (no target delimiter):
 *                    acc_norm divides by their length in characters (code points, like Python len)
 * @param gold        index of the correct choice
 */
public record McItem(String id, List<Request> requests, List<String> choiceTexts, int gold) {
    public McItem {
        requests = List.copyOf(requests);
        choiceTexts = List.copyOf(choiceTexts);
        if (requests.size() != choiceTexts.size() || requests.size() < 2) {
            throw new IllegalArgumentException(
                    "item " + id + ": " + requests.size() + " requests for " + choiceTexts.size() + " choices");
        }
        if (gold < 0 || gold >= requests.size())
            throw new IllegalArgumentException("item " + id + ": gold " + gold + " out of range");
    }

    /** A loglikelihood request: log P(continuation | context), strings before tokenisation. */
    public record Request(String context, String continuation) {}

    /** The common shape: one context, continuations " " + choice (lm-eval's target_delimiter). */
    public static McItem sharedContext(String id, String context, List<String> choices, int gold) {
        return new McItem(
                id, choices.stream().map(c -> new Request(context, " " + c)).toList(), choices, gold);
    }

    public int choiceCount() {
        return requests.size();
    }

    /** Python len(): code points, not UTF-16 units. */
    public int choiceLength(int i) {
        String s = choiceTexts.get(i);
        return s.codePointCount(0, s.length());
    }

    /** SHA-256 of the items as scored (ids, contexts, continuations, gold). */
    public static String fingerprint(List<McItem> items) {
        MessageDigest md = Hashing.sha256();
        for (McItem it : items) {
            md.update(it.id().getBytes(StandardCharsets.UTF_8));
            for (McItem.Request r : it.requests()) {
                md.update((byte) 1);
                md.update(r.context().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 2);
                md.update(r.continuation().getBytes(StandardCharsets.UTF_8));
            }
            md.update((byte) 3);
            md.update(Integer.toString(it.gold()).getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
