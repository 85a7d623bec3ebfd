package dev.llmcw.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.util.Parallel;
import org.junit.jupiter.api.Test;

class MemoryBandwidthTest {
    @Test
    void reportsBestAndMedianOverAllEngineThreads() {
        var r = MemoryBandwidth.measure(8, 3);
        assertThat(r.threads()).isEqualTo(Parallel.threads());
        assertThat(r.reps()).isEqualTo(3);
        assertThat(r.mb()).isEqualTo(8);
        assertThat(r.medianGBs()).isPositive().isLessThanOrEqualTo(r.bestGBs());
        assertThat(r.bestGBs()).isFinite();
    }

    @Test
    void rejectsEmptyMeasurements() {
        assertThatThrownBy(() -> MemoryBandwidth.measure(0, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MemoryBandwidth.measure(8, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
