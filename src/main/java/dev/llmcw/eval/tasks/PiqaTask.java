package dev.llmcw.eval.tasks;

import dev.llmcw.eval.data.DatasetException;
import dev.llmcw.eval.data.DatasetFiles;
import dev.llmcw.eval.data.Jsonl;
import dev.llmcw.eval.data.TextFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PIQA validation (lm-eval task piqa, version 1.0): "Question: {goal}\nAnswer:" with choices sol1, sol2.
 * Reads the original release (valid.jsonl/dev.jsonl plus a labels file with one 0/1 per line) and
 * JSON Lines exports that carry a "label" field themselves.
 */
public final class PiqaTask implements MultipleChoiceTask {
    @Override
    public String name() {
        return "piqa";
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
        Path jsonl = DatasetFiles.require(
                dataDir,
                name(),
                List.of("piqa"),
                List.of("valid.jsonl", "dev.jsonl", "piqa_valid.jsonl", "validation.jsonl"));
        return read(
                jsonl,
                DatasetFiles.sibling(jsonl, List.of("valid-labels.lst", "dev-labels.lst"))
                        .orElse(null));
    }

    /** @param labels the labels file, or null when every row has a "label" field */
    public static List<McItem> read(Path jsonl, Path labels) {
        List<Jsonl.Row> rows = Jsonl.read(jsonl);
        List<Integer> gold = null;
        if (labels != null && !rows.getFirst().has("label")) {
            gold = TextFiles.labels(labels);
            if (gold.size() != rows.size()) {
                throw new DatasetException(
                        labels,
                        "has " + gold.size() + " labels but " + jsonl.getFileName() + " has " + rows.size() + " items");
            }
        }
        List<McItem> items = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Jsonl.Row r = rows.get(i);
            int label;
            if (gold != null) {
                label = gold.get(i);
                if (label != 0 && label != 1)
                    throw new DatasetException(labels, i + 1, "label " + label + " is not 0 or 1");
            } else {
                if (!r.has("label"))
                    throw r.error("missing field \"label\" and no labels file (valid-labels.lst) beside the data");
                label = r.integer("label");
                if (label != 0 && label != 1) throw r.error("label " + label + " is not 0 or 1");
            }
            String context = "Question: " + r.nonEmptyText("goal") + "\nAnswer:";
            items.add(McItem.sharedContext(
                    Integer.toString(i), context, List.of(r.nonEmptyText("sol1"), r.nonEmptyText("sol2")), label));
        }
        return items;
    }
}
