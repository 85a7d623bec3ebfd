package dev.llmcw.results;

import static dev.llmcw.results.StoredRunFixture.base;
import static dev.llmcw.results.StoredRunFixture.compressed;
import static dev.llmcw.results.StoredRunFixture.first;
import static dev.llmcw.results.StoredRunFixture.firstRight;
import static dev.llmcw.results.StoredRunFixture.flipped;
import static dev.llmcw.results.StoredRunFixture.full;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseComparisonsTest {
    @TempDir
    Path dir;

    @Test
    void aDifferenceWithinNoiseIsMarkedNotSignificant() {
        try (var store = ResultsStore.open(dir.resolve("r.db"))) {
            boolean[] baseAnswers = firstRight(50, 30);
            long b = base(store, first(50), baseAnswers);
            // two items lost, one gained: 29/50 against 30/50
            long c = compressed(store, "rtn", Map.of("bits", "4"), 4.0, first(50), flipped(baseAnswers, 0, 1, 40));
            BaseComparison cmp =
                    BaseComparisons.of(store, store.listRuns(RunFilter.all())).get(c);
            assertThat(cmp.baseRunId()).isEqualTo(b);
            assertThat(cmp.onlyBaseRight()).isEqualTo(2);
            assertThat(cmp.onlyThisRight()).isEqualTo(1);
            assertThat(cmp.flips()).isEqualTo(3);
            assertThat(cmp.retained()).isCloseTo(29.0 / 30, within(1e-12));
            assertThat(cmp.deltaPoints()).isCloseTo(-2.0, within(1e-9));
            assertThat(cmp.significant()).isFalse();
            assertThat(cmp.describe())
                    .isEqualTo("retained 96.7% · Δ -2.0 pts vs base run " + b + " · p = 1.00 (not significant)");
        }
    }

    @Test
    void fortyOfFiftyItemsFlippingOneWayIsSignificant() {
        try (var store = ResultsStore.open(dir.resolve("r.db"))) {
            boolean[] baseAnswers = firstRight(50, 45);
            base(store, first(50), baseAnswers);
            long c = compressed(
                    store,
                    "seedlm",
                    Map.of("C", "8"),
                    3.0,
                    first(50),
                    flipped(baseAnswers, IntStream.range(0, 40).toArray()));
            BaseComparison cmp =
                    BaseComparisons.of(store, store.listRuns(RunFilter.all())).get(c);
            assertThat(cmp.onlyBaseRight()).isEqualTo(40);
            assertThat(cmp.onlyThisRight()).isZero();
            assertThat(cmp.pValue()).isCloseTo(1.8189894035458565e-12, within(1e-20));
            assertThat(cmp.significant()).isTrue();
            assertThat(cmp.describe()).endsWith("p < 0.001");
        }
    }

    @Test
    void theBaseRunComesFromTheSameProtocolOnly() {
        try (var store = ResultsStore.open(dir.resolve("r.db"))) {
            long base50 = base(store, first(50), firstRight(50, 30));
            base(store, full(), firstRight(80, 60));
            long fullOnly = compressed(store, "rtn", Map.of("bits", "4"), 4.0, first(20), firstRight(20, 10));
            long c = compressed(store, "rtn", Map.of("bits", "3"), 3.0, first(50), firstRight(50, 25));
            var all = store.listRuns(RunFilter.all());
            var cmps = BaseComparisons.of(store, all);
            assertThat(cmps.get(c).baseRunId()).isEqualTo(base50);
            assertThat(cmps).as("no uncompressed run over the first 20 items").doesNotContainKey(fullOnly);
            assertThat(RunProtocol.of(store.getRun(c).orElseThrow()).label()).isEqualTo("first 50");
            assertThat(RunProtocol.of(store.getRun(base50 + 1).orElseThrow()).label())
                    .isEqualTo(RunProtocol.FULL_SPLIT);
            assertThat(RunProtocol.selection(RunSpec.Options.defaults().withSample(200)))
                    .isEqualTo("sample 200 (seed 1234)");
            assertThat(BaseComparisons.baseOf(store.getRun(base50).orElseThrow(), List.copyOf(all)))
                    .isEmpty();
        }
    }
}
