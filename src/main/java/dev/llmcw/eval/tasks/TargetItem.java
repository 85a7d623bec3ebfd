package dev.llmcw.eval.tasks;

import dev.llmcw.util.Hashing;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * One document of an lm-eval output_type loglikelihood task (LAMBADA): one (context, target) request,
 * scored by log P(target | context) and whether greedy decoding produces the target.
 *
 * @param target the continuation with lm-eval's target delimiter already in front (" word")
 */
public record TargetItem(String id, String context, String target) {
    public TargetItem {
        if (context.isEmpty() || target.isEmpty())
            throw new IllegalArgumentException("item " + id + ": empty " + (context.isEmpty() ? "context" : "target"));
    }

    /** SHA-256 of the items as scored (ids, contexts, targets). */
    public static String fingerprint(List<TargetItem> items) {
        MessageDigest md = Hashing.sha256();
        for (TargetItem it : items) {
            md.update(it.id().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 1);
            md.update(it.context().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 2);
            md.update(it.target().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 3);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
