package dev.llmcw.compress;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SizeCheckTest {
    @Test
    void aModelLargerThanTheOriginalIsWarnedWithBothSizes() {
        var bigger = new SizeEstimate(1000, 40, 1200, 6000, 40.0, "");
        assertThat(SizeCheck.largerThanOriginal(bigger, 4800))
                .isEqualTo("warning: this setting makes the model larger than the original (6,000 bytes vs 4,800,"
                        + " 40.000 bits/weight overall); lower the rank or bits to compress it");
        var smaller = new SizeEstimate(1000, 4, 1200, 900, 6.0, "");
        assertThat(SizeCheck.largerThanOriginal(smaller, 4800)).isNull();
        assertThat(SizeCheck.largerThanOriginal(new SizeEstimate(1, 1, 1, 4800, 32, ""), 4800))
                .isNull();
    }
}
