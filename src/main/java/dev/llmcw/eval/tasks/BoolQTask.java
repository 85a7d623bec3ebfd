package dev.llmcw.eval.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.eval.data.DatasetFiles;
import dev.llmcw.eval.data.Jsonl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * BoolQ validation (lm-eval task boolq from super_glue, version 2.0):
 * "{passage}\nQuestion: {question}?\nAnswer:" with choices "no", "yes"; acc only. Labels may be JSON
 * booleans (SuperGLUE "label", original BoolQ "answer"), the strings "true"/"false", or 0/1.
 */
public final class BoolQTask implements MultipleChoiceTask {
    @Override
    public String name() {
        return "boolq";
    }

    @Override
    public String version() {
        return "2.0";
    }

    @Override
    public boolean reportsAccNorm() {
        return false;
    }

    @Override
    public List<McItem> load(Path dataDir) {
        return read(DatasetFiles.require(
                dataDir, name(), List.of("boolq", "BoolQ"), List.of("val.jsonl", "dev.jsonl", "validation.jsonl")));
    }

    public static List<McItem> read(Path jsonl) {
        List<McItem> items = new ArrayList<>();
        for (Jsonl.Row r : Jsonl.read(jsonl)) {
            String field = r.has("label") ? "label" : "answer";
            JsonNode v = r.field(field);
            boolean yes;
            if (v.isBoolean()) yes = v.asBoolean();
            else if (v.isTextual()
                    && (v.asText().equalsIgnoreCase("true") || v.asText().equalsIgnoreCase("false")))
                yes = Boolean.parseBoolean(v.asText().toLowerCase());
            else if (v.isIntegralNumber() && (v.asInt() == 0 || v.asInt() == 1)) yes = v.asInt() == 1;
            else throw r.error("field \"" + field + "\" must be true/false (or 0/1), got " + v);
            String context = r.nonEmptyText("passage") + "\nQuestion: " + r.nonEmptyText("question") + "?\nAnswer:";
            items.add(McItem.sharedContext(Integer.toString(items.size()), context, List.of("no", "yes"), yes ? 1 : 0));
        }
        return items;
    }
}
