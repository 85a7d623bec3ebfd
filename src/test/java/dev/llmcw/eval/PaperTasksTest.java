package dev.llmcw.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.llmcw.TestData;
import dev.llmcw.eval.LoglikelihoodScorer.Payload;
import dev.llmcw.eval.data.DatasetException;
import dev.llmcw.eval.tasks.C4Task;
import dev.llmcw.eval.tasks.LambadaTask;
import dev.llmcw.eval.tasks.LoglikelihoodTask;
import dev.llmcw.eval.tasks.McItem;
import dev.llmcw.eval.tasks.PerplexityTask;
import dev.llmcw.eval.tasks.RteTask;
import dev.llmcw.eval.tasks.TargetItem;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RTE, LAMBADA (OpenAI) and C4: readers, lm-eval prompts, metrics, the missing-split sentence, runs on the samples. */
class PaperTasksTest {
    private static final Path SAMPLES = Path.of("datasets");

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, text);
    }

    @Test
    void rteJsonlAndGlueTsvGiveLmEvalsPrompt() throws IOException {
        Path j = write(
                "rte/validation.jsonl",
                "{\"sentence1\": \"A dog ran.\", \"sentence2\": \"An animal moved.\", \"label\": 0, \"idx\": 7}\n"
                        + "{\"sentence1\": \"It rained.\", \"sentence2\": \"It was dry.\", \"label\": 1, \"idx\": 8}\n");
        List<McItem> items = RteTask.read(j);
        McItem a = items.getFirst();
        assertThat(a.id()).isEqualTo("7");
        assertThat(a.requests())
                .containsExactly(
                        new McItem.Request("A dog ran.\nQuestion: An animal moved. True or False?\nAnswer:", " True"),
                        new McItem.Request("A dog ran.\nQuestion: An animal moved. True or False?\nAnswer:", " False"));
        assertThat(a.gold()).isZero();
        assertThat(items.get(1).gold()).isEqualTo(1);
        Path tsv = write(
                "RTE/dev.tsv",
                "index\tsentence1\tsentence2\tlabel\n0\tA dog ran.\tAn animal moved.\tentailment\n1\tIt rained.\tIt was dry.\tnot_entailment\n");
        assertThat(RteTask.readTsv(tsv)).extracting(McItem::gold).containsExactly(0, 1);
        assertThat(RteTask.readTsv(tsv).getFirst().requests()).isEqualTo(a.requests());
        write("RTE/bad.tsv", "index\tsentence1\tsentence2\tlabel\n0\tA\tB\tmaybe\n");
        assertThatThrownBy(() -> RteTask.readTsv(dir.resolve("RTE/bad.tsv")))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("bad.tsv:2")
                .hasMessageContaining("label must be entailment or not_entailment, got \"maybe\"");
        Path bad = write("b/validation.jsonl", "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": 2}\n");
        assertThatThrownBy(() -> RteTask.read(bad))
                .hasMessageContaining("validation.jsonl:1")
                .hasMessageContaining("must be 0 (entailment) or 1");
    }

    @Test
    void lambadaSplitsAtTheLastSpaceAsLmEvalDoes() throws IOException {
        TargetItem it = LambadaTask.item("0", "He said \"go\" and she went  home");
        // text.split(' ')[:-1] joined with ' ' keeps the double space; the target is " " + the last word
        assertThat(it.context()).isEqualTo("He said \"go\" and she went ");
        assertThat(it.target()).isEqualTo(" home");
        Path j = write("l/lambada_test.jsonl", "{\"text\": \"The cat sat on the mat\"}\n{\"text\": \"oneword\"}\n");
        assertThatThrownBy(() -> LambadaTask.read(j))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("lambada_test.jsonl:2")
                .hasMessageContaining("needs a context and a last word");
        List<TargetItem> sample = new LambadaTask().load(SAMPLES);
        assertThat(sample).hasSize(10);
        assertThat(sample.getFirst().target()).isEqualTo(" umbrella");
        assertThat(sample.getFirst().context()).endsWith("she was glad she had brought her");
    }

    @Test
    void c4JoinsTheFirstDocumentsWithASpace() throws IOException {
        Path gz = dir.resolve("c4/c4-validation.00000-of-00008.json.gz");
        Files.createDirectories(gz.getParent());
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(
                    ("{\"text\": \"First doc.\\nLine two.\", \"timestamp\": \"2019-04-25T12:57:54Z\", \"url\": \"https://a\"}\n"
                                    + "{\"text\": \"Second doc.\", \"timestamp\": \"2019-04-25T12:57:54Z\", \"url\": \"https://b\"}\n")
                            .getBytes(StandardCharsets.UTF_8));
        }
        C4Task c4 = new C4Task();
        assertThat(c4.protocol()).isEqualTo(PerplexityTask.Protocol.CHUNKED);
        assertThat(c4.load(dir))
                .singleElement()
                .satisfies(d -> assertThat(d.text()).isEqualTo("First doc.\nLine two. Second doc."));
        assertThat(C4Task.texts(gz, 1)).containsExactly("First doc.\nLine two.");
        Path plain = write("x/c4-validation.00000-of-00008.json", "{\"url\": \"u\"}\n");
        assertThatThrownBy(() -> C4Task.texts(plain, 5))
                .hasMessageContaining("c4-validation.00000-of-00008.json:1")
                .hasMessageContaining("\"text\"");
        assertThat(new C4Task().load(SAMPLES).getFirst().text())
                .startsWith("Looking for a simple weeknight dinner?")
                .contains(" Our community garden");
    }

    @Test
    void aMissingSplitIsOneSentenceNamingTheDownload() {
        assertThatThrownBy(() -> new RteTask().load(dir))
                .isInstanceOf(DatasetException.class)
                .hasMessage(
                        dir
                                + ": no data for rte: the GLUE RTE validation split (validation.jsonl or rte_validation.jsonl or dev.tsv) is not in this data folder;"
                                + " fetch it with `workbench download dataset rte` or use the repository's datasets/rte/sample");
        assertThatThrownBy(() -> new LambadaTask().load(dir))
                .hasMessageContaining("the LAMBADA (OpenAI) test split")
                .hasMessageContaining("download dataset lambada_openai");
        assertThatThrownBy(() -> new C4Task().load(dir))
                .hasMessageContaining("the C4 en validation shard 0 split")
                .hasMessageContaining("download dataset c4");
    }

    @Test
    void loglikelihoodMetricsOnAHandCase() {
        // ll −1 (greedy) and −3 (not greedy): perplexity = exp(−mean ll) = e², acc = 1/2
        var m = LoglikelihoodRun.metrics(
                List.of(new Payload(-1, true, 1, null, null), new Payload(-3, false, 2, null, null)));
        assertThat(m.get("perplexity")).isCloseTo(Math.exp(2), within(1e-12));
        assertThat(m.get("acc")).isEqualTo(0.5);
        assertThat(m.get("acc_stderr")).isCloseTo(0.5, within(1e-12)); // sample stddev 0.7071 / sqrt(2)
    }

    private record FixedTargets(List<TargetItem> items) implements LoglikelihoodTask {
        @Override
        public String name() {
            return "targets";
        }

        @Override
        public String version() {
            return "1.0";
        }

        @Override
        public List<TargetItem> load(Path dataDir) {
            return items;
        }
    }

    @Test
    void loglikelihoodTaskScoresTheTargetAfterTheContextWithFidelity() {
        FakeTokenizer tok = new FakeTokenizer(97, true);
        FakeScorer sc = new FakeScorer(97, 64, 0);
        List<TargetItem> items =
                List.of(new TargetItem("0", "the cat sat on the", " mat"), new TargetItem("1", "a b c", " d"));
        var model = new ScoringModel("m", "sha-m", sc, tok);
        var base = new ScoringModel("b", "sha-b", new FakeScorer(97, 64, 0), tok);
        TaskResult r =
                new Evaluator(EvalOptions.defaults(), null, null, null).run(new FixedTargets(items), dir, model, base);
        double ll = 0;
        for (TargetItem it : items) {
            LmEvalRequests.Encoded e = new LmEvalRequests(tok, false).encode(it.context(), it.target());
            ll += sc.directLl(e.context(), e.continuation());
        }
        assertThat(r.metrics().metrics().get("perplexity")).isCloseTo(Math.exp(-ll / 2), within(1e-9));
        // the same scorer as base: nothing differs
        assertThat(r.metrics().metrics().get("kl_mean")).isCloseTo(0, within(1e-6));
        assertThat(r.metrics().metrics().get("flips")).isZero();
        assertThat(r.baseMetrics().metrics().get("perplexity"))
                .isEqualTo(r.metrics().metrics().get("perplexity"));
    }

    @Test
    void theThreeTasksRunOnStories260KOnTheShippedSamples() throws Exception {
        ScoringModel model = ScoringModels.load(TestData.stories260K(), TestData.tok512());
        Evaluator ev = new Evaluator(EvalOptions.defaults(), ItemStore.inMemory(), null, null);
        TaskResult rte = ev.run(TaskRegistry.create("rte", 1, null), SAMPLES, model, null);
        assertThat(rte.metrics().items()).isEqualTo(10);
        assertThat(rte.metrics().metrics()).containsOnlyKeys("acc", "acc_stderr");
        TaskResult lambada = ev.run(TaskRegistry.create("lambada_openai", 1, null), SAMPLES, model, null);
        assertThat(lambada.metrics().items()).isEqualTo(10);
        assertThat(lambada.metrics().metrics()).containsOnlyKeys("perplexity", "acc", "acc_stderr");
        assertThat(lambada.metrics().metrics().get("perplexity"))
                .isGreaterThan(1)
                .isFinite();
        TaskResult c4 = ev.run(TaskRegistry.create("c4", 1, null), SAMPLES, model, null);
        assertThat(c4.metrics().metrics()).containsOnlyKeys("perplexity");
        assertThat(c4.metrics().metrics().get("perplexity")).isGreaterThan(1).isFinite();
    }
}
