package dev.llmcw.ui.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.eval.EvaluationProgress;
import dev.llmcw.ui.task.SynchronousTaskExecutor;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** An evaluation job's one bar over all its tasks, its measured ETA and its metrics lines in the job log. */
class EvaluationJobProgressTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong();
    private final JobsViewModel jobs = new JobsViewModel(new SynchronousTaskExecutor(), clock::get);
    private final List<Double> bar = new ArrayList<>();
    private final Map<Integer, String> etaAfter = new LinkedHashMap<>();

    /**
     * A fake evaluation service: two tasks of 30 and 10 items, one item a second, each task reporting its
     * own items from 1 (as the item runner does); {@code resumedA} items of the first task come from the store.
     */
    private Integer evaluate(ProgressListener p, CancellationToken c, int resumedA) {
        var sizes = new LinkedHashMap<String, Long>();
        sizes.put("piqa", 30L);
        sizes.put("arc_easy", 10L);
        var job = new EvaluationProgress(p, sizes, clock::get);
        int overall = 0;
        for (var task : sizes.entrySet()) {
            ProgressListener items = job.task(task.getKey());
            int n = task.getValue().intValue();
            for (int i = 1; i <= n; i++) {
                c.throwIfCancelled();
                if (task.getKey().equals("piqa") && i <= resumedA) {
                    items.resumed(task.getKey(), i, n, "resumed from store");
                } else {
                    clock.addAndGet(SECOND);
                    items.update(task.getKey(), i, n, "");
                }
                overall++;
                JobViewModel running = jobs.jobs().getLast();
                bar.add(running.progressProperty().get());
                etaAfter.put(overall, running.etaProperty().get());
            }
            job.finished(task.getKey(), Map.of("acc", 0.5, "acc_stderr", 0.1));
            bar.add(jobs.jobs().getLast().progressProperty().get());
        }
        return 0;
    }

    @Test
    void oneBarOverAllTasksNeverGoesBackAndItsEtaIsTheMeasuredRatesPrediction() {
        JobViewModel job = jobs.submit("evaluate", "two tasks", (p, c) -> evaluate(p, c, 0), v -> {}, t -> {});

        assertThat(job.state()).isEqualTo(JobState.DONE);
        for (int i = 1; i < bar.size(); i++)
            assertThat(bar.get(i)).as("bar at report %d", i).isGreaterThanOrEqualTo(bar.get(i - 1));
        assertThat(bar.getLast()).isEqualTo(1.0);
        // after the first task (30 of 40 items) the bar stands at 0.75, not at the second task's 0
        assertThat(bar.get(30)).isEqualTo(0.75);
        // half the items (20 of 40) in 20 s: 1 item/s, so 20 items left take 20 s
        assertThat(etaAfter.get(20)).isEqualTo("20 s");
        assertThat(etaAfter.get(35)).isEqualTo("5 s");
        assertThat(job.progressProperty().get()).isEqualTo(1.0);
    }

    @Test
    void resumedItemsCountAsDoneButNotTowardsTheRate() {
        // 10 items of piqa come from the store at once; the rate is over the scored ones: 1 item/s
        JobViewModel job = jobs.submit("evaluate", "resumed", (p, c) -> evaluate(p, c, 10), v -> {}, t -> {});

        assertThat(job.state()).isEqualTo(JobState.DONE);
        assertThat(bar.get(9)).isEqualTo(0.25);
        // 20 of 40 done (10 resumed, 10 scored in 10 s): 20 left at 1 item/s
        assertThat(etaAfter.get(20)).isEqualTo("20 s");
    }

    @Test
    void theJobLogHoldsEachFinishedTasksMetrics() {
        JobViewModel job = jobs.submit("evaluate", "two tasks", (p, c) -> evaluate(p, c, 0), v -> {}, t -> {});

        assertThat(job.log())
                .containsSubsequence("started", "piqa: acc 0.5000 ± 0.1000", "arc_easy: acc 0.5000 ± 0.1000", "done");
    }
}
