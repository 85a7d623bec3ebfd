package dev.llmcw.app;

import dev.llmcw.report.RunRow;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;

import java.util.List;

/** The evaluation tasks of this build. */
public final class DefaultEvaluationService implements EvaluationService {
    static final List<String[]> PLANNED = List.of(
            new String[]{"piqa", "PIQA"}, new String[]{"hellaswag", "HellaSwag"},
            new String[]{"arc_easy", "ARC-Easy"}, new String[]{"arc_challenge", "ARC-Challenge"},
            new String[]{"winogrande", "WinoGrande"}, new String[]{"boolq", "BoolQ"},
            new String[]{"wikitext", "WikiText-2 perplexity"}, new String[]{"tinystories", "TinyStories perplexity"},
            new String[]{"cloze", "Cloze"});

    @Override
    public List<TaskInfo> tasks() {
        return PLANNED.stream().map(t -> new TaskInfo(t[0], t[1], false, "The evaluation suite (dev.llmcw.eval) is not in this build yet.")).toList();
    }

    @Override
    public List<RunRow> evaluate(Request request, ProgressListener progress, CancellationToken cancel) {
        throw new NotAvailableException("The evaluation suite (dev.llmcw.eval) is not in this build yet.");
    }
}
