package dev.llmcw.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.eval.tasks.McItem;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** While a task runs, the job log gets its running metric at most every {@link ItemRunner#RUNNING_LOG_NANOS}. */
class ItemRunnerRunningMetricTest {
    private static final int V = 97;

    @Test
    void runningAccuracyIsLoggedEveryFewSecondsAndMatchesTheItemsSoFar() {
        List<McItem> items = IntStream.range(0, 20)
                .mapToObj(i -> McItem.sharedContext(
                        "q" + i,
                        "Question: item " + i + " which?\nAnswer:",
                        List.of(" red", " blue " + i, " cat"),
                        i % 3))
                .toList();
        var model = new ScoringModel("m", "sha-m", new FakeScorer(V, 64, 0), new FakeTokenizer(V, true));
        var log = new ArrayList<String>();
        ProgressListener progress = new ProgressListener() {
            @Override
            public void update(String stage, long done, long total, String message) {
                if (done < 0 && total < 0) log.add(stage);
            }
        };
        // every clock reading is a second later: one item per block, one reading per block
        var clock = new AtomicLong();
        var runner = new ItemRunner(
                ItemStore.inMemory(), progress, CancellationToken.none(), () -> clock.addAndGet(1_000_000_000L));

        ItemRunner.Run<Evaluator.McPayload> run = runner.run(
                items,
                new MultipleChoiceScorer(model, null, false, 64),
                new ItemRunner.Keys("t", "run", null, model, null),
                false);

        // readings at 1 s (start), 2 s (after item 1) … : 5 s apart after items 5, 10 and 15, none after the last
        assertThat(log).hasSize(3);
        for (int k = 0; k < 3; k++) {
            int n = 5 * (k + 1);
            long correct = IntStream.range(0, n)
                    .filter(i -> Stats.argmax(run.model().get(i).ll())
                            == items.get(i).gold())
                    .count();
            assertThat(log.get(k))
                    .isEqualTo(
                            String.format(Locale.ROOT, "t: running acc %.4f over %d items", (double) correct / n, n));
        }
    }
}
