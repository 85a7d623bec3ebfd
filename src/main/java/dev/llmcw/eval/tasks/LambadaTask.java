package dev.llmcw.eval.tasks;

import dev.llmcw.eval.data.Jsonl;
import dev.llmcw.eval.data.MissingSplit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * LAMBADA as OpenAI preprocessed it (lm-eval task lambada_openai, EleutherAI/lambada_openai default, test
 * split, version 1.0): JSON Lines {text}; context = the text up to its last space (doc_to_text
 * "{{text.split(' ')[:-1]|join(' ')}}"), target = " " + the last space-separated word; scored by
 * loglikelihood: perplexity and acc (the target is the greedy continuation).
 */
public final class LambadaTask implements LoglikelihoodTask {
    static final List<String> FILES = List.of("lambada_test.jsonl", "lambada_test_en.jsonl");

    @Override
    public String name() {
        return "lambada_openai";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public List<TargetItem> load(Path dataDir) {
        return read(MissingSplit.require(
                dataDir,
                name(),
                "LAMBADA (OpenAI) test",
                "lambada_openai",
                List.of("lambada_openai", "lambada"),
                FILES));
    }

    public static List<TargetItem> read(Path jsonl) {
        List<TargetItem> items = new ArrayList<>();
        for (Jsonl.Row r : Jsonl.read(jsonl)) {
            String text = r.nonEmptyText("text");
            int cut = text.lastIndexOf(' ');
            if (cut <= 0 || cut == text.length() - 1)
                throw r.error("field \"text\" needs a context and a last word separated by a space");
            items.add(item(Integer.toString(items.size()), text));
        }
        return items;
    }

    /** lm-eval's doc_to_text and " " + doc_to_target: split on the last single space. */
    public static TargetItem item(String id, String text) {
        int cut = text.lastIndexOf(' ');
        return new TargetItem(id, text.substring(0, cut), " " + text.substring(cut + 1));
    }
}
