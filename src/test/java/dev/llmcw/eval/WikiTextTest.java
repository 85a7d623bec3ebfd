package dev.llmcw.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.eval.tasks.TextDoc;
import dev.llmcw.eval.tasks.TextPerplexityTask;
import dev.llmcw.eval.tasks.WikiText;
import dev.llmcw.eval.tasks.WikiTextTask;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WikiTextTest {
    @TempDir
    Path dir;

    @Test
    void detokenizerFollowsLmEval() {
        // expected strings are the output of lm-eval's wikitext_detokenizer run in Python on the same inputs
        assertThat(WikiText.detokenize(
                        " The 2 @,@ 000 players ' team scored 1 @.@ 5 goals , in a top @-@ level game . \n"))
                .isEqualTo(" The 2,000 players' team scored 1.5 goals, in a top-level game.\n");
        assertThat(WikiText.detokenize(" He said \" hello \" ( loudly ) and = = Career = = \n"))
                .isEqualTo(" He said \"hello\" (loudly) and == Career ==\n");
        assertThat(WikiText.detokenize("It was 20 ° hot ; N people ' s dog 's bone"))
                .isEqualTo("It was 20°hot; 1 people's dog's bone");
    }

    @Test
    void articlesSplitAtTopLevelHeadingsWithBlankRowsRestored() throws IOException {
        Path f = dir.resolve("wiki.test.raw");
        Files.writeString(
                f,
                " = Alpha = \r\n Alpha is a letter . \r\n = = History = = \r\n It is old . \r\n = Beta = \r\n Beta follows . \r\n");
        List<String> rows = WikiText.rows(f);
        assertThat(rows)
                .containsExactly(
                        " ",
                        " = Alpha = ",
                        " ",
                        " Alpha is a letter . ",
                        " ",
                        " = = History = = ",
                        " ",
                        " It is old . ",
                        " ",
                        " = Beta = ",
                        " ",
                        " Beta follows . ");
        List<String> pages = WikiText.pages(rows);
        assertThat(pages)
                .containsExactly(
                        " = Alpha = \n \n Alpha is a letter . \n \n = = History = = \n \n It is old . \n ",
                        " = Beta = \n \n Beta follows . ");
        List<TextDoc> docs = WikiTextTask.documents(rows);
        assertThat(docs).hasSize(2);
        // words counted on the raw page with Python's re.split(r"\s+"): leading and trailing empty pieces count
        assertThat(docs.getFirst().words()).isEqualTo(19);
        assertThat(docs.getFirst().bytes()).isEqualTo(pages.getFirst().getBytes(StandardCharsets.UTF_8).length);
        assertThat(docs.getFirst().text())
                .isEqualTo(" = Alpha =\n\nAlpha is a letter.\n\n== History ==\n\nIt is old.\n");
        // a file that has its blank lines is taken as is
        Path orig = dir.resolve("orig.raw");
        Files.writeString(orig, " \n = Alpha = \n \n text . \n");
        assertThat(WikiText.rows(orig)).containsExactly(" ", " = Alpha = ", " ", " text . ");
    }

    @Test
    void pythonSplitCount() {
        assertThat(TextDoc.pythonSplitCount("a b")).isEqualTo(2);
        assertThat(TextDoc.pythonSplitCount(" a  b\n")).isEqualTo(4);
        assertThat(TextDoc.pythonSplitCount("")).isEqualTo(1);
        assertThat(TextDoc.pythonSplitCount("a\u00a0b")).isEqualTo(2);
    }

    @Test
    void textDocumentsAreSeparatedByBlankLinesOrEndOfText() {
        assertThat(TextPerplexityTask.splitDocuments("One.\nTwo.\n\n\nThree.\r\n<|endoftext|>\nFour.\n"))
                .containsExactly("One.\nTwo.", "Three.", "Four.");
    }
}
