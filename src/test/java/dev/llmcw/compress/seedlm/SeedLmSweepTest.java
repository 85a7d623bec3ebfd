package dev.llmcw.compress.seedlm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeedLmSweepTest {
    @Test
    void moreCoefficientsAndWiderSeedsLowerTheError() {
        var pts = SeedLmSweep.run(
                new SeedLmSweep.Grid(List.of(8), List.of(1, 2, 3), List.of(6, 10), ExponentRule.RANGE_FILLING, 10),
                300,
                1,
                ProgressListener.NONE,
                CancellationToken.none());
        assertThat(pts).hasSize(6);
        for (var p : pts) assertThat(p.bitsPerWeight()).isEqualTo((p.k() + 4 + 4.0 * p.p()) / p.c());
        // same K: error falls with P; same P: error falls with K (more seeds to choose from)
        assertThat(pts.get(0).nmse()).isGreaterThan(pts.get(1).nmse());
        assertThat(pts.get(1).nmse()).isGreaterThan(pts.get(2).nmse());
        assertThat(pts.get(2).nmse()).isGreaterThan(pts.get(5).nmse());
        assertThat(pts.get(2).nmse()).isBetween(0.01, 0.5);
    }
}
