package dev.llmcw.eval.tasks;

import dev.llmcw.eval.data.DatasetException;
import dev.llmcw.eval.data.Jsonl;
import dev.llmcw.eval.data.MissingSplit;
import dev.llmcw.eval.data.TextFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * GLUE RTE validation (lm-eval task rte, glue/rte, version 1.0):
 * "{sentence1}\nQuestion: {sentence2} True or False?\nAnswer:" with choices " True", " False"; label 0
 * (entailment) is True; acc only. Reads the Hugging Face export as JSON Lines {sentence1, sentence2,
 * label, idx} and GLUE's own dev.tsv (index, sentence1, sentence2, label "entailment"/"not_entailment",
 * unquoted tab-separated as the GLUE loader reads it).
 */
public final class RteTask implements MultipleChoiceTask {
    static final List<String> FILES = List.of("validation.jsonl", "rte_validation.jsonl", "dev.tsv");

    @Override
    public String name() {
        return "rte";
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public boolean reportsAccNorm() {
        return false;
    }

    @Override
    public List<McItem> load(Path dataDir) {
        Path f = MissingSplit.require(
                dataDir, name(), "GLUE RTE validation", "rte", List.of("rte", "RTE", "glue/rte"), FILES);
        return f.getFileName().toString().endsWith(".tsv") ? readTsv(f) : read(f);
    }

    /** lm-eval's doc_to_text. */
    public static String prompt(String sentence1, String sentence2) {
        return sentence1 + "\nQuestion: " + sentence2 + " True or False?\nAnswer:";
    }

    private static McItem item(String id, String s1, String s2, int label) {
        return McItem.sharedContext(id, prompt(s1, s2), List.of("True", "False"), label);
    }

    public static List<McItem> read(Path jsonl) {
        List<McItem> items = new ArrayList<>();
        for (Jsonl.Row r : Jsonl.read(jsonl)) {
            int label = r.integer("label");
            if (label != 0 && label != 1)
                throw r.error("field \"label\" must be 0 (entailment) or 1 (not_entailment), got " + label);
            String id = r.has("idx") ? Integer.toString(r.integer("idx")) : Integer.toString(items.size());
            items.add(item(id, r.nonEmptyText("sentence1"), r.nonEmptyText("sentence2"), label));
        }
        return items;
    }

    public static List<McItem> readTsv(Path tsv) {
        List<String> lines = TextFiles.lines(tsv);
        if (lines.isEmpty() || !lines.getFirst().startsWith("index\tsentence1\tsentence2\tlabel")) {
            throw new DatasetException(
                    tsv, 1, "expected GLUE's header \"index<TAB>sentence1<TAB>sentence2<TAB>label\"");
        }
        List<McItem> items = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String[] f = lines.get(i).split("\t", -1);
            if (f.length != 4)
                throw new DatasetException(tsv, i + 1, "expected 4 tab-separated fields, got " + f.length);
            int label = switch (f[3].strip()) {
                case "entailment" -> 0;
                case "not_entailment" -> 1;
                default ->
                    throw new DatasetException(
                            tsv, i + 1, "label must be entailment or not_entailment, got \"" + f[3] + "\"");
            };
            items.add(item(f[0].strip(), f[1], f[2], label));
        }
        if (items.isEmpty()) throw new DatasetException(tsv, "no items");
        return items;
    }
}
