package dev.llmcw.eval;

import dev.llmcw.eval.data.DatasetFiles;
import dev.llmcw.eval.data.Jsonl;
import dev.llmcw.eval.tasks.McItem;
import dev.llmcw.eval.tasks.MultipleChoiceTask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole new task in one class, as a contributor would add RTE or LAMBADA: yes/no questions from
 * yesno/yesno.jsonl ({"question": ..., "answer": "yes"|"no"}), prompt "Question: {q}?\nAnswer:", choices
 * " no" / " yes", acc only, chance 0.5. {@link #DESCRIPTOR} is the one line that registers it.
 */
public final class YesNoTask implements MultipleChoiceTask {
    public static final TaskDescriptor DESCRIPTOR = TaskDescriptor.multipleChoice(
            "yesno", "Yes/No (toy)", "yesno/yesno.jsonl", 0.5, false, p -> new YesNoTask());

    /** The folder holding yesno/yesno.jsonl (the test resources). */
    public static Path dataDir() throws Exception {
        return Path.of(YesNoTask.class.getResource("/tasks/yesno/yesno.jsonl").toURI())
                .getParent()
                .getParent();
    }

    @Override
    public String name() {
        return "yesno";
    }

    @Override
    public String version() {
        return "0.1";
    }

    @Override
    public boolean reportsAccNorm() {
        return false;
    }

    @Override
    public List<McItem> load(Path dataDir) {
        List<McItem> items = new ArrayList<>();
        for (Jsonl.Row r :
                Jsonl.read(DatasetFiles.require(dataDir, name(), List.of("yesno"), List.of("yesno.jsonl")))) {
            String answer = r.nonEmptyText("answer");
            if (!answer.equals("yes") && !answer.equals("no"))
                throw r.error("answer \"" + answer + "\" is not yes or no");
            items.add(McItem.sharedContext(
                    Integer.toString(items.size()),
                    "Question: " + r.nonEmptyText("question") + "?\nAnswer:",
                    List.of("no", "yes"),
                    answer.equals("yes") ? 1 : 0));
        }
        return items;
    }
}
