package dev.llmcw.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.eval.data.DatasetException;
import dev.llmcw.eval.tasks.ArcTask;
import dev.llmcw.eval.tasks.BoolQTask;
import dev.llmcw.eval.tasks.HellaSwagTask;
import dev.llmcw.eval.tasks.McItem;
import dev.llmcw.eval.tasks.PiqaTask;
import dev.llmcw.eval.tasks.WinoGrandeTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every supported dataset format, on small fixture files, plus the bad-input cases. */
class DatasetReadersTest {
    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, String.join("\n", lines) + "\n");
        return p;
    }

    private static List<String> continuations(McItem it) {
        return it.requests().stream().map(McItem.Request::continuation).toList();
    }

    @Test
    void piqaJsonlWithLabelsFile() throws IOException {
        Path j = write(
                "piqa/valid.jsonl",
                "{\"id\": \"a\", \"goal\": \"How do I dry a phone?\", \"sol1\": \"Put it in rice.\", \"sol2\": \"Put it in water.\"}",
                "{\"id\": \"b\", \"goal\": \"Open a jar\", \"sol1\": \"Tap the lid.\", \"sol2\": \"Glue the lid.\"}");
        write("piqa/valid-labels.lst", "0", "1");
        List<McItem> items = new PiqaTask().load(dir);
        assertThat(items).hasSize(2);
        McItem a = items.getFirst();
        assertThat(a.requests().getFirst().context()).isEqualTo("Question: How do I dry a phone?\nAnswer:");
        assertThat(continuations(a)).containsExactly(" Put it in rice.", " Put it in water.");
        assertThat(a.choiceTexts()).containsExactly("Put it in rice.", "Put it in water.");
        assertThat(a.gold()).isZero();
        assertThat(items.get(1).gold()).isEqualTo(1);
        assertThat(PiqaTask.read(j, dir.resolve("piqa/valid-labels.lst"))).isEqualTo(items);
    }

    @Test
    void piqaLabelsCountMismatchNamesTheLabelsFile() throws IOException {
        Path j = write(
                "p/valid.jsonl",
                "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\"}",
                "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\"}");
        Path l = write("p/valid-labels.lst", "0");
        assertThatThrownBy(() -> PiqaTask.read(j, l))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("valid-labels.lst")
                .hasMessageContaining("1 labels but valid.jsonl has 2 items");
    }

    @Test
    void piqaLabelOutOfRangeNamesLine() throws IOException {
        Path j = write(
                "p/valid.jsonl",
                "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\"}",
                "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\"}");
        Path l = write("p/valid-labels.lst", "0", "2");
        assertThatThrownBy(() -> PiqaTask.read(j, l))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("valid-labels.lst:2")
                .hasMessageContaining("label 2");
    }

    @Test
    void malformedJsonLineNamesFileAndLine() throws IOException {
        Path j = write(
                "bad.jsonl",
                "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\", \"label\": 0}",
                "{\"goal\": \"g\", \"sol1\": ");
        assertThatThrownBy(() -> PiqaTask.read(j, null))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("bad.jsonl:2")
                .hasMessageContaining("malformed JSON");
    }

    @Test
    void missingFieldAndEmptyChoiceNameLine() throws IOException {
        Path j = write("m.jsonl", "{\"goal\": \"g\", \"sol1\": \"a\", \"label\": 0}");
        assertThatThrownBy(() -> PiqaTask.read(j, null))
                .hasMessageContaining("m.jsonl:1")
                .hasMessageContaining("missing field \"sol2\"");
        Path e = write(
                "e.jsonl",
                "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\", \"label\": 0}",
                "{\"goal\": \"g\", \"sol1\": \"  \", \"sol2\": \"b\", \"label\": 1}");
        assertThatThrownBy(() -> PiqaTask.read(e, null))
                .hasMessageContaining("e.jsonl:2")
                .hasMessageContaining("\"sol1\" is empty");
    }

    @Test
    void unreadableAndParquetFiles() {
        assertThatThrownBy(() -> PiqaTask.read(dir.resolve("nope.jsonl"), null))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("nope.jsonl")
                .hasMessageContaining("cannot read");
        assertThatThrownBy(() -> BoolQTask.read(dir.resolve("val.parquet")))
                .hasMessageContaining("Parquet is not supported");
        assertThatThrownBy(() -> new PiqaTask().load(dir)).hasMessageContaining("no data for piqa");
    }

    @Test
    void hellaswagUpstreamJsonlFollowsLmEvalPreprocessing() throws IOException {
        Path j = write(
                "hs.jsonl",
                "{\"ind\": 24, \"activity_label\": \"Roof shingle removal\", \"ctx_a\": \"A man is sitting on a roof.\", \"ctx_b\": \"he\", \"label\": 3, "
                        + "\"endings\": [\"is using wrap to wrap a pair of skis.\", \"is ripping level tiles off.\", \"is holding a rubik's cube.\", \"starts pulling up roofing on a roof.\"]}",
                "{\"activity_label\": \"Home and Garden\", \"ctx_a\": \"[header] How to clean a grill [title] Heat the grill.  [step] Burn it off.\", \"ctx_b\": \"\", \"label\": \"1\", "
                        + "\"endings\": [\"[substeps] Scrub it.\", \" Wait [title] then rinse.\", \"c\", \"d\"]}",
                "{\"activity_label\": \"X\", \"ctx_a\": \"Someone waves.\", \"ctx_b\": \"the Man in RED\", \"label\": 0, \"endings\": [\"a\", \"b\", \"c\", \"d\"]}");
        List<McItem> items = HellaSwagTask.readJsonl(j);
        assertThat(items.get(0).requests().getFirst().context())
                .isEqualTo("Roof shingle removal: A man is sitting on a roof. He");
        assertThat(items.get(0).gold()).isEqualTo(3);
        assertThat(continuations(items.get(0)).getFirst()).isEqualTo(" is using wrap to wrap a pair of skis.");
        // " [title]" → ". ", brackets removed, double spaces collapsed, strip; empty ctx_b leaves a trailing space that
        // strip removes
        assertThat(items.get(1).requests().getFirst().context())
                .isEqualTo(
                        "Home and Garden: How to clean a grill. Heat the grill.  Burn it off."); // one replace pass, as
        // Python
        assertThat(items.get(1).choiceTexts())
                .containsExactly(" Scrub it.", "Wait. then rinse.", "c", "d"); // strip runs before the tag removal
        assertThat(items.get(1).gold()).isEqualTo(1);
        // Python capitalize lowers the rest
        assertThat(items.get(2).requests().getFirst().context()).isEqualTo("X: Someone waves. The man in red");
    }

    @Test
    void hellaswagLlamaCppTextRecapitalisesCtxB() throws IOException {
        Path t = write(
                "hellaswag_val_full.txt",
                "Roof shingle removal: A man is sitting on a roof. he",
                "3",
                "is using wrap to wrap a pair of skis.",
                "is ripping level tiles off.",
                "is holding a rubik's cube.",
                "starts pulling up roofing on a roof.",
                "Health: How to treat hemorrhoids. Drink plenty of water.",
                "0",
                "a",
                "b",
                "c",
                "d");
        List<McItem> items = HellaSwagTask.readLlamaCppText(t);
        assertThat(items).hasSize(2);
        assertThat(items.get(0).requests().getFirst().context())
                .isEqualTo("Roof shingle removal: A man is sitting on a roof. He");
        assertThat(items.get(0).gold()).isEqualTo(3);
        assertThat(continuations(items.get(0))).hasSize(4).first().isEqualTo(" is using wrap to wrap a pair of skis.");
        assertThat(items.get(1).requests().getFirst().context())
                .isEqualTo("Health: How to treat hemorrhoids. Drink plenty of water.");
        assertThat(HellaSwagTask.capitaliseTrailingFragment("Cheerleading: they"))
                .isEqualTo("Cheerleading: They");
        assertThat(HellaSwagTask.capitaliseTrailingFragment("Washing face: A woman. black spots on her Face"))
                .isEqualTo("Washing face: A woman. Black spots on her face");
    }

    @Test
    void hellaswagTextBadInput() throws IOException {
        Path short5 = write("h1.txt", "ctx", "1", "a", "b", "c");
        assertThatThrownBy(() -> HellaSwagTask.readLlamaCppText(short5))
                .hasMessageContaining("h1.txt")
                .hasMessageContaining("6 lines per item");
        Path badGold = write("h2.txt", "ctx", "7", "a", "b", "c", "d");
        assertThatThrownBy(() -> HellaSwagTask.readLlamaCppText(badGold))
                .hasMessageContaining("h2.txt:2")
                .hasMessageContaining("out of range");
        Path empty = write("h3.txt", "ctx", "1", "a", "", "c", "d");
        assertThatThrownBy(() -> HellaSwagTask.readLlamaCppText(empty))
                .hasMessageContaining("h3.txt:4")
                .hasMessageContaining("empty ending");
    }

    @Test
    void arcAllThreeShapes() throws IOException {
        Path up = write(
                "ARC-Easy/ARC-Easy-Test.jsonl",
                "{\"id\": \"q1\", \"question\": {\"stem\": \"Which is a gas?\", \"choices\": [{\"text\": \"ice\", \"label\": \"A\"}, {\"text\": \"steam\", \"label\": \"B\"}, {\"text\": \"rock\", \"label\": \"C\"}]}, \"answerKey\": \"B\"}",
                "{\"id\": \"q2\", \"question\": {\"stem\": \"Pick four\", \"choices\": [{\"text\": \"1\", \"label\": \"1\"}, {\"text\": \"2\", \"label\": \"2\"}, {\"text\": \"3\", \"label\": \"3\"}, {\"text\": \"4\", \"label\": \"4\"}]}, \"answerKey\": \"4\"}");
        List<McItem> a = ArcTask.read(up);
        assertThat(a.get(0).requests().getFirst().context()).isEqualTo("Question: Which is a gas?\nAnswer:");
        assertThat(a.get(0).choiceTexts()).containsExactly("ice", "steam", "rock");
        assertThat(a.get(0).gold()).isEqualTo(1);
        assertThat(a.get(1).gold()).isEqualTo(3);
        assertThat(ArcTask.easy().load(dir)).isEqualTo(a);
        Path hf = write(
                "hf.jsonl",
                "{\"question\": \"Q?\", \"choices\": {\"text\": [\"x\", \"y\"], \"label\": [\"A\", \"B\"]}, \"answerKey\": \"A\"}");
        assertThat(ArcTask.read(hf).getFirst().gold()).isZero();
        Path norm = write("n.jsonl", "{\"question\": \"Q?\", \"choices\": [\"x\", \"y\", \"z\"], \"label\": 2}");
        assertThat(ArcTask.read(norm).getFirst().gold()).isEqualTo(2);
        Path bad = write(
                "b.jsonl",
                "{\"question\": {\"stem\": \"Q\", \"choices\": [{\"text\": \"x\", \"label\": \"A\"}, {\"text\": \"y\", \"label\": \"B\"}]}, \"answerKey\": \"E\"}");
        assertThatThrownBy(() -> ArcTask.read(bad))
                .hasMessageContaining("b.jsonl:1")
                .hasMessageContaining("answerKey \"E\"");
        Path range = write("r.jsonl", "{\"question\": \"Q?\", \"choices\": [\"x\", \"y\"], \"label\": 5}");
        assertThatThrownBy(() -> ArcTask.read(range))
                .hasMessageContaining("r.jsonl:1")
                .hasMessageContaining("out of range");
    }

    @Test
    void winograndePartialScoringAndLabelsFile() throws IOException {
        Path j = write(
                "wg/dev.jsonl",
                "{\"qID\": \"1\", \"sentence\": \"Sarah was a better surgeon than Maria so _ always got the easier cases.\", \"option1\": \"Sarah\", \"option2\": \"Maria\", \"answer\": \"2\"}",
                "{\"qID\": \"2\", \"sentence\": \"The cup fell because _ was slippery.\", \"option1\": \"the cup\", \"option2\": \"the hand\"}");
        Path labels = write("wg/dev-labels.lst", "2", "1");
        List<McItem> items = WinoGrandeTask.read(j, labels);
        McItem a = items.getFirst();
        assertThat(a.requests())
                .containsExactly(
                        new McItem.Request(
                                "Sarah was a better surgeon than Maria so Sarah", " always got the easier cases."),
                        new McItem.Request(
                                "Sarah was a better surgeon than Maria so Maria", " always got the easier cases."));
        assertThat(a.gold()).isEqualTo(1);
        assertThat(items.get(1).gold()).isZero();
        Path wrong = write(
                "wg2/dev.jsonl",
                "{\"sentence\": \"A _ b\", \"option1\": \"x\", \"option2\": \"y\", \"answer\": \"1\"}");
        Path wrongLabels = write("wg2/dev-labels.lst", "2");
        assertThatThrownBy(() -> WinoGrandeTask.read(wrong, wrongLabels))
                .hasMessageContaining("dev.jsonl:1")
                .hasMessageContaining("disagrees");
        Path noBlank = write(
                "wg3.jsonl", "{\"sentence\": \"A b\", \"option1\": \"x\", \"option2\": \"y\", \"answer\": \"1\"}");
        assertThatThrownBy(() -> WinoGrandeTask.read(noBlank, null))
                .hasMessageContaining("wg3.jsonl:1")
                .hasMessageContaining("no \"_\"");
        Path badAnswer = write(
                "wg4.jsonl", "{\"sentence\": \"A _ b\", \"option1\": \"x\", \"option2\": \"y\", \"answer\": \"3\"}");
        assertThatThrownBy(() -> WinoGrandeTask.read(badAnswer, null)).hasMessageContaining("answer 3");
    }

    @Test
    void boolqLabelSpellings() throws IOException {
        Path j = write(
                "boolq/val.jsonl",
                "{\"question\": \"is the sky blue\", \"passage\": \"Sky -- The sky is blue.\", \"idx\": 0, \"label\": true}",
                "{\"question\": \"is ice hot\", \"passage\": \"Ice is cold.\", \"idx\": 1, \"label\": \"false\"}",
                "{\"question\": \"q\", \"passage\": \"p\", \"answer\": true}",
                "{\"question\": \"q\", \"passage\": \"p\", \"label\": 0}");
        List<McItem> items = new BoolQTask().load(dir);
        assertThat(items.getFirst().requests().getFirst().context())
                .isEqualTo("Sky -- The sky is blue.\nQuestion: is the sky blue?\nAnswer:");
        assertThat(continuations(items.getFirst())).containsExactly(" no", " yes");
        assertThat(items.stream().map(McItem::gold)).containsExactly(1, 0, 1, 0);
        Path bad = write("b2.jsonl", "{\"question\": \"q\", \"passage\": \"p\", \"label\": \"maybe\"}");
        assertThatThrownBy(() -> BoolQTask.read(bad))
                .hasMessageContaining("b2.jsonl:1")
                .hasMessageContaining("true/false");
    }
}
