package dev.llmcw.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PairedTestTest {

    /** Every p-value of tools/reference/mcnemar_exact.py (exact rational arithmetic) to 1e-9 relative. */
    @Test
    void matchesTheExactReference() throws IOException {
        int checked = 0;
        try (InputStream in = getClass().getResourceAsStream("/golden/stats/paired_tests.tsv")) {
            assertThat(in).as("golden/stats/paired_tests.tsv").isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split("\t");
                int a = Integer.parseInt(f[1]), b = Integer.parseInt(f[2]);
                double expected = Double.parseDouble(f[4]);
                double actual = f[0].equals("mcnemar")
                        ? PairedTest.mcNemar(a, b)
                        : PairedTest.binomialVsChance(a, b, Double.parseDouble(f[3]));
                assertThat(actual).as(line).isCloseTo(expected, within(1e-9 * Math.max(expected, 1e-300) + 1e-300));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(25);
    }

    @Test
    void fortyOfFiftyFlipsOneWayIsSignificantAndAnEvenSplitIsNot() {
        assertThat(PairedTest.significant(PairedTest.mcNemar(40, 10))).isTrue();
        assertThat(PairedTest.describe(PairedTest.mcNemar(40, 10))).isEqualTo("p < 0.001");
        assertThat(PairedTest.describe(PairedTest.mcNemar(12, 8))).isEqualTo("p = 0.503 (not significant)");
        assertThat(PairedTest.mcNemar(8, 12)).isEqualTo(PairedTest.mcNemar(12, 8));
    }

    @Test
    void badCountsAreRefused() {
        assertThatThrownBy(() -> PairedTest.binomialVsChance(5, 3, 0.5)).hasMessageContaining("5 of 3");
        assertThatThrownBy(() -> PairedTest.binomialVsChance(1, 3, 1.0)).hasMessageContaining("chance level");
        assertThatThrownBy(() -> PairedTest.mcNemar(-1, 3)).hasMessageContaining("negative");
    }
}
