package dev.llmcw.eval;

/**
 * One document of an lm-eval output_type loglikelihood task (LAMBADA): one (context, target) request,
 * scored by log P(target | context) and whether greedy decoding produces the target.
 *
 * @param target the continuation with lm-eval's target delimiter already in front (" word")
 */
public record TargetItem(String id, String context, String target) {
    public TargetItem {
        if (context.isEmpty() || target.isEmpty()) throw new IllegalArgumentException("item " + id + ": empty " + (context.isEmpty() ? "context" : "target"));
    }
}
