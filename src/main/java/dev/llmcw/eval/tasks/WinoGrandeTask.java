package dev.llmcw.eval.tasks;

import dev.llmcw.eval.data.DatasetException;
import dev.llmcw.eval.data.DatasetFiles;
import dev.llmcw.eval.data.Jsonl;
import dev.llmcw.eval.data.TextFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * WinoGrande (winogrande_xl validation; lm-eval task winogrande, version 1.0) with partial scoring:
 * i = index of "_"; the two contexts are sentence[:i] + option1/2, the shared continuation is
 * " " + sentence[i+1:].strip(), and the context giving the continuation the higher log-likelihood wins.
 * acc only. The answer ("1"/"2") comes from the row or, when absent, from dev-labels.lst beside the file;
 * when both exist they must agree.
 */
public final class WinoGrandeTask implements MultipleChoiceTask {
    @Override
    public String name() {
        return "winogrande";
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
        Path f = DatasetFiles.require(
                dataDir,
                name(),
                List.of("winogrande", "winogrande_1.1"),
                List.of("dev.normalized.jsonl", "dev.jsonl", "validation.jsonl"));
        return read(f, DatasetFiles.sibling(f, List.of("dev-labels.lst")).orElse(null));
    }

    public static List<McItem> read(Path jsonl, Path labels) {
        List<Jsonl.Row> rows = Jsonl.read(jsonl);
        List<Integer> fileLabels = null;
        if (labels != null) {
            fileLabels = TextFiles.labels(labels);
            if (fileLabels.size() != rows.size()) {
                throw new DatasetException(
                        labels,
                        "has " + fileLabels.size() + " labels but " + jsonl.getFileName() + " has " + rows.size()
                                + " items");
            }
        }
        List<McItem> items = new ArrayList<>(rows.size());
        for (int n = 0; n < rows.size(); n++) {
            Jsonl.Row r = rows.get(n);
            String sentence = r.nonEmptyText("sentence");
            int i = sentence.indexOf('_');
            if (i < 0) throw r.error("sentence has no \"_\" blank");
            Integer answer = null;
            if (r.has("answer")) {
                answer = r.integer("answer");
                if (answer != 1 && answer != 2) throw r.error("answer " + answer + " is not 1 or 2");
            }
            if (fileLabels != null) {
                int l = fileLabels.get(n);
                if (l != 1 && l != 2) throw new DatasetException(labels, n + 1, "label " + l + " is not 1 or 2");
                if (answer != null && answer != l)
                    throw r.error("answer " + answer + " disagrees with " + labels.getFileName() + " line " + (n + 1)
                            + " (" + l + ")");
                answer = l;
            }
            if (answer == null) throw r.error("missing field \"answer\" and no dev-labels.lst beside the data");
            String continuation = " " + sentence.substring(i + 1).strip();
            List<String> contexts = List.of(
                    sentence.substring(0, i) + r.nonEmptyText("option1"),
                    sentence.substring(0, i) + r.nonEmptyText("option2"));
            List<McItem.Request> reqs = contexts.stream()
                    .map(c -> new McItem.Request(c, continuation))
                    .toList();
            items.add(new McItem(Integer.toString(n), reqs, contexts, answer - 1));
        }
        return items;
    }
}
