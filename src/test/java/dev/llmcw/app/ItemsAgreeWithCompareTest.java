package dev.llmcw.app;

import static dev.llmcw.results.StoredRunFixture.base;
import static dev.llmcw.results.StoredRunFixture.compressed;
import static dev.llmcw.results.StoredRunFixture.first;
import static dev.llmcw.results.StoredRunFixture.firstRight;
import static dev.llmcw.results.StoredRunFixture.flipped;
import static dev.llmcw.results.StoredRunFixture.full;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.report.RunRow;
import dev.llmcw.results.ResultsStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Items tab and the Compare table read flips from one pairing (they once said 0 and 20 for the same run). */
class ItemsAgreeWithCompareTest {
    @TempDir
    Path dir;

    @Test
    void theItemsViewFlagsTheFlipsTheComparisonCounts() {
        try (var store = ResultsStore.open(dir.resolve("r.db"))) {
            boolean[] answers = firstRight(40, 25);
            base(store, first(40), answers);
            base(store, full(), firstRight(60, 10)); // another protocol: must not be the one compared with
            long c = compressed(store, "seedlm", Map.of("C", "8"), 3.0, first(40), flipped(answers, 0, 1, 2, 30, 31));
            var service = new StoreResultsService(store, id -> List.of(), null);

            RunRow row = service.runs().stream()
                    .filter(r -> r.runId().equals(Long.toString(c)))
                    .findFirst()
                    .orElseThrow();
            long flaggedInItems = service.items(Long.toString(c)).stream()
                    .filter(ResultsService.ItemDetail::flipped)
                    .count();

            assertThat(row.vsBase()).as("the Compare table's comparison").isNotNull();
            assertThat(row.vsBase().flips()).isEqualTo(5);
            assertThat(flaggedInItems)
                    .as("items flagged FLIPPED in the Items tab")
                    .isEqualTo(row.vsBase().flips());
            assertThat(row.protocol()).isEqualTo("first 40");
        }
    }
}
