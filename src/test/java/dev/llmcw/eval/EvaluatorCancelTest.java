package dev.llmcw.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.eval.tasks.McItem;
import dev.llmcw.eval.tasks.MultipleChoiceTask;
import dev.llmcw.eval.tasks.PerplexityTask;
import dev.llmcw.eval.tasks.TextDoc;
import dev.llmcw.util.CancellationToken;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A cancel during an evaluation's setup (loading, tokenizing) stops it before any item is scored. */
class EvaluatorCancelTest {
    private static final int V = 97;

    /** A chunked perplexity task whose data load is where the user presses Cancel. */
    private record CancelledWhileLoading(CancellationToken cancel) implements PerplexityTask {
        @Override
        public String name() {
            return "wikitext_chunks";
        }

        @Override
        public String version() {
            return "1.0";
        }

        @Override
        public Protocol protocol() {
            return Protocol.CHUNKED;
        }

        @Override
        public List<TextDoc> load(Path dataDir) {
            cancel.cancel();
            return List.of(TextDoc.of("all", "the quick brown fox jumps over the lazy dog ".repeat(200)));
        }
    }

    /** Counts the texts it tokenizes: tokenizing the loaded text is the setup step after loading. */
    private static final class CountingTokenizer extends FakeTokenizer {
        final AtomicInteger encoded = new AtomicInteger();

        CountingTokenizer() {
            super(V, true);
        }

        @Override
        public int[] encode(String text) {
            encoded.incrementAndGet();
            return super.encode(text);
        }
    }

    @Test
    void aCancelWhileTheDataLoadsStopsBeforeTokenizingAndScoring() {
        var cancel = new CancellationToken();
        var tokenizer = new CountingTokenizer();
        var scorer = new FakeScorer(V, 16, 0);
        var model = new ScoringModel("m", "sha-m", scorer, tokenizer);
        var evaluator = new Evaluator(EvalOptions.defaults(), ItemStore.inMemory(), null, cancel);

        assertThatThrownBy(() -> evaluator.run(new CancelledWhileLoading(cancel), Path.of("."), model, null))
                .isInstanceOf(CancellationToken.CancelledException.class);
        assertThat(tokenizer.encoded).hasValue(0);
        assertThat(scorer.contexts).isEmpty();
    }

    @Test
    void anAlreadyCancelledRunDoesNotLoadItsData() {
        var cancel = new CancellationToken();
        cancel.cancel();
        var loads = new AtomicInteger();
        MultipleChoiceTask task = new MultipleChoiceTask() {
            @Override
            public String name() {
                return "mc";
            }

            @Override
            public String version() {
                return "1.0";
            }

            @Override
            public List<McItem> load(Path dataDir) {
                loads.incrementAndGet();
                return List.of(McItem.sharedContext("q0", "Question?\nAnswer:", List.of("a", "b"), 0));
            }

            @Override
            public boolean reportsAccNorm() {
                return false;
            }
        };
        var evaluator = new Evaluator(EvalOptions.defaults(), ItemStore.inMemory(), null, cancel);

        assertThatThrownBy(() -> evaluator.run(task, Path.of("."), null, null))
                .isInstanceOf(CancellationToken.CancelledException.class);
        assertThat(loads).hasValue(0);
    }

    @Test
    void itemCountsFollowLimitAndSampleWithoutScoring() {
        var scorer = new FakeScorer(V, 16, 0);
        var model = new ScoringModel("m", "sha-m", scorer, new FakeTokenizer(V, true));
        MultipleChoiceTask task = new MultipleChoiceTask() {
            @Override
            public String name() {
                return "mc";
            }

            @Override
            public String version() {
                return "1.0";
            }

            @Override
            public List<McItem> load(Path dataDir) {
                return IntStream.range(0, 50)
                        .mapToObj(i -> McItem.sharedContext("q" + i, "Q" + i + "?\nAnswer:", List.of("a", "b"), 0))
                        .toList();
            }

            @Override
            public boolean reportsAccNorm() {
                return false;
            }
        };
        assertThat(Evaluator.itemCount(task, Path.of("."), EvalOptions.defaults(), model))
                .isEqualTo(50);
        assertThat(Evaluator.itemCount(
                        task, Path.of("."), EvalOptions.defaults().withLimit(20), model))
                .isEqualTo(20);
        assertThat(Evaluator.itemCount(
                        task, Path.of("."), EvalOptions.defaults().withSample(80), model))
                .isEqualTo(50);
        assertThat(scorer.contexts).isEmpty();
        assertThat(EvaluationProgress.metricsLine("piqa", Map.of("perplexity", 12.5)))
                .isEqualTo("piqa: perplexity 12.5000");
    }
}
