package dev.llmcw.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.eval.tasks.ArcTask;
import dev.llmcw.eval.tasks.BoolQTask;
import dev.llmcw.eval.tasks.ClozeTask;
import dev.llmcw.eval.tasks.HellaSwagTask;
import dev.llmcw.eval.tasks.McItem;
import dev.llmcw.eval.tasks.PiqaTask;
import dev.llmcw.eval.tasks.TextDoc;
import dev.llmcw.eval.tasks.TextPerplexityTask;
import dev.llmcw.eval.tasks.WikiTextTask;
import dev.llmcw.eval.tasks.WinoGrandeTask;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Full evaluation splits in the shared data folder: sizes, and a few items checked by eye against the files. */
class SharedDatasetsTest {
    private static Path datasets() {
        // require() verifies each file against MANIFEST.json
        for (String f : List.of(
                "piqa/valid.jsonl",
                "piqa/valid-labels.lst",
                "hellaswag/hellaswag_val_full.txt",
                "arc/ARC-Easy-test.normalized.jsonl",
                "arc/ARC-Challenge-test.normalized.jsonl",
                "winogrande/dev.normalized.jsonl",
                "winogrande/dev-labels.lst",
                "boolq/val.jsonl",
                "wikitext2/wiki.test.raw",
                "tinystories/tinystories_val_subset.txt")) {
            TestData.require("datasets/" + f);
        }
        return TestData.require("datasets");
    }

    @Test
    void fullSplitSizes() {
        Path d = datasets();
        assertThat(new PiqaTask().load(d)).hasSize(1838);
        List<McItem> hs = new HellaSwagTask().load(d);
        assertThat(hs).hasSize(10042);
        assertThat(ArcTask.easy().load(d)).hasSize(2376);
        assertThat(ArcTask.challenge().load(d)).hasSize(1172);
        assertThat(new WinoGrandeTask().load(d)).hasSize(1267);
        assertThat(new BoolQTask().load(d)).hasSize(3270);
        McItem first = hs.getFirst();
        assertThat(first.requests().getFirst().context())
                .isEqualTo("Roof shingle removal: A man is sitting on a roof. He");
        assertThat(first.gold()).isEqualTo(3);
    }

    @Test
    void wikitextHasLmEvalsSixtyTwoArticles() {
        List<TextDoc> docs = new WikiTextTask().load(datasets());
        assertThat(docs).hasSize(62);
        assertThat(docs.getFirst().text())
                .startsWith(" = Robert Boulter =\n\nRobert Boulter is an English film, television and theatre actor.");
        assertThat(docs.stream().mapToLong(TextDoc::words).sum()).isBetween(240_000L, 250_000L);
    }

    @Test
    void tinyStoriesDocumentsAndCloze() {
        Path d = datasets();
        List<TextDoc> docs = TextPerplexityTask.tinyStories().load(d);
        assertThat(docs.size()).isBetween(4000, 4400);
        List<McItem> cloze = ClozeTask.tinyStories(1).load(d);
        assertThat(cloze.size()).isGreaterThan(500);
        assertThat(cloze).allSatisfy(it -> assertThat(it.choiceCount()).isEqualTo(4));
    }
}
