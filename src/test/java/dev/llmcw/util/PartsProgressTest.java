package dev.llmcw.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartsProgressTest {
    private record Update(String stage, long done, long total, String message) {}

    @Test
    void partsReportOneStageOverAllUnitsAndResumedPartsCountAsDoneButNotAsSpeed() {
        List<Update> seen = new ArrayList<>();
        var job = new PartsProgress((s, d, t, m) -> seen.add(new Update(s, d, t, m)), "seed search", "blocks", 60);
        job.resumed(10, "a");
        assertThat(seen.getLast())
                .isEqualTo(new Update("seed search", 10, 60, "a (resumed)")); // nothing worked yet: no speed

        ProgressListener b = job.part("b");
        b.update("seed search b", 0, 20, "");
        b.update("seed search b", 12, 20, "per-part message");
        b.update("seed search b", 7, 20, ""); // a worker's older count, arriving late: ignored
        b.log("a log line");
        b.update("seed search b", 20, 20, "");
        job.finished(20, "b");
        ProgressListener c = job.part("c");
        c.update("seed search c", 30, 30, "");
        job.finished(30, "c");

        var bars = seen.stream().filter(u -> u.total() > 0).toList();
        assertThat(bars).extracting(Update::stage).containsOnly("seed search");
        assertThat(bars).extracting(Update::total).containsOnly(60L);
        assertThat(bars).extracting(Update::done).containsExactly(10L, 10L, 22L, 30L, 30L, 60L, 60L);
        assertThat(bars.get(2).message()).startsWith("b · ").contains(" blocks/s, ETA ");
        assertThat(seen).contains(new Update("a log line", -1, -1, ""));
    }

    /** A part that counts in units of its own (iterations of a tensor of 100 weights) moves the job by its share. */
    @Test
    void aPartInItsOwnUnitsIsScaledToItsShareOfTheJob() {
        List<Update> seen = new ArrayList<>();
        var job = new PartsProgress((s, d, t, m) -> seen.add(new Update(s, d, t, m)), "caldera", "weights", 300);
        ProgressListener tensor = job.part("q_proj", 100);
        tensor.update("caldera q_proj", 1, 4, "iteration 1");
        tensor.update("caldera q_proj", 4, 4, "iteration 4");
        job.finished(100, "q_proj rel.err 0.1");
        job.part("k_proj", 200).update("caldera k_proj", 1, 2, "iteration 1");
        assertThat(seen).extracting(Update::done).containsExactly(25L, 100L, 100L, 200L);
        assertThat(seen).extracting(Update::stage).containsOnly("caldera");
    }

    @Test
    void aPartThatReportsNothingUntilItFinishesCountsAsWork() {
        List<Update> seen = new ArrayList<>();
        var job = new PartsProgress((s, d, t, m) -> seen.add(new Update(s, d, t, m)), "rtn", "weights", 200);
        job.resumed(100, "a");
        job.part("b", 100);
        job.finished(100, "b");
        assertThat(seen.getFirst().message()).isEqualTo("a (resumed)");
        assertThat(seen.getLast().done()).isEqualTo(200);
        assertThat(seen.getLast().message()).startsWith("b · ").contains(" weights/s, ETA 0 s");
    }

    /** Items a part resumes from the store one by one move the bar but not the rate; a fake clock makes the rate exact. */
    @Test
    void unitsAPartReportsAsResumedCountAsDoneButNotTowardsTheRate() {
        List<Update> seen = new ArrayList<>();
        var clock = new long[] {0};
        var job = new PartsProgress(
                (s, d, t, m) -> seen.add(new Update(s, d, t, m)), "evaluate", "items", 40, () -> clock[0]);
        ProgressListener task = job.part("piqa", 40);
        for (int i = 1; i <= 10; i++) task.resumed("piqa", i, 40, "resumed from store");
        clock[0] = 10_000_000_000L;
        task.update("piqa", 20, 40, "");

        assertThat(seen.get(9)).isEqualTo(new Update("evaluate", 10, 40, "piqa" + PartsProgress.RESUMED));
        // 10 items scored in 10 s: 1 item/s, 20 left
        assertThat(seen.getLast()).isEqualTo(new Update("evaluate", 20, 40, "piqa · 1 items/s, ETA 20 s"));
    }
}
