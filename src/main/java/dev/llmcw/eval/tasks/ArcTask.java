package dev.llmcw.eval.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmcw.eval.data.DatasetFiles;
import dev.llmcw.eval.data.Jsonl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ARC-Easy / ARC-Challenge test (lm-eval tasks arc_easy, arc_challenge, version 1.0):
 * "Question: {question}\nAnswer:" with the choice texts; gold = index of answerKey among the choice
 * labels (labels are letters, or "1".."5" in some rows). Reads three row shapes, detected per row:
 * the original release ({question:{stem, choices:[{text,label}]}, answerKey}), the Hugging Face export
 * ({question, choices:{text:[...], label:[...]}, answerKey}) and the normalized one ({question, choices:[...], label}).
 */
public final class ArcTask implements MultipleChoiceTask {
    private final boolean challenge;

    private ArcTask(boolean challenge) {
        this.challenge = challenge;
    }

    public static ArcTask easy() {
        return new ArcTask(false);
    }

    public static ArcTask challenge() {
        return new ArcTask(true);
    }

    @Override
    public String name() {
        return challenge ? "arc_challenge" : "arc_easy";
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
        String set = challenge ? "ARC-Challenge" : "ARC-Easy";
        Path f = DatasetFiles.require(
                dataDir,
                name(),
                List.of("arc", set, "ARC-V1-Feb2018-2/" + set),
                List.of(
                        set + "-test.normalized.jsonl",
                        set + "-Test.jsonl",
                        set + "-test.jsonl",
                        set.toLowerCase() + "-test.jsonl"));
        return read(f);
    }

    public static List<McItem> read(Path jsonl) {
        List<McItem> items = new ArrayList<>();
        for (Jsonl.Row r : Jsonl.read(jsonl)) {
            JsonNode q = r.field("question");
            String question;
            List<String> texts = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            int gold;
            if (q.isObject()) {
                if (q.get("stem") == null || !q.get("stem").isTextual())
                    throw r.error("missing field \"question.stem\"");
                question = q.get("stem").asText();
                JsonNode cs = q.get("choices");
                if (cs == null || !cs.isArray()) throw r.error("missing field \"question.choices\"");
                for (JsonNode c : cs) {
                    if (c.get("text") == null || c.get("label") == null)
                        throw r.error("a choice lacks \"text\" or \"label\"");
                    texts.add(c.get("text").asText());
                    labels.add(c.get("label").asText());
                }
                gold = answerIndex(r, labels, r.text("answerKey"));
            } else {
                question = r.text("question");
                JsonNode cs = r.field("choices");
                if (cs.isObject()) {
                    JsonNode t = cs.get("text"), l = cs.get("label");
                    if (t == null || l == null || !t.isArray() || !l.isArray() || t.size() != l.size()) {
                        throw r.error("field \"choices\" must hold equally long \"text\" and \"label\" arrays");
                    }
                    t.forEach(x -> texts.add(x.asText()));
                    l.forEach(x -> labels.add(x.asText()));
                    gold = answerIndex(r, labels, r.text("answerKey"));
                } else {
                    texts.addAll(r.texts("choices"));
                    gold = r.integer("label");
                    if (gold < 0 || gold >= texts.size())
                        throw r.error("label " + gold + " out of range for " + texts.size() + " choices");
                }
            }
            if (question.isBlank()) throw r.error("empty question");
            for (String t : texts) if (t.isBlank()) throw r.error("empty choice");
            if (texts.size() < 2) throw r.error("fewer than two choices");
            items.add(McItem.sharedContext(
                    Integer.toString(items.size()), "Question: " + question + "\nAnswer:", texts, gold));
        }
        return items;
    }

    private static int answerIndex(Jsonl.Row r, List<String> labels, String answerKey) {
        int i = labels.indexOf(answerKey.trim());
        if (i < 0) throw r.error("answerKey \"" + answerKey + "\" is not among the choice labels " + labels);
        return i;
    }
}
