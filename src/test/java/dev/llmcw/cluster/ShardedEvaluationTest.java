package dev.llmcw.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.eval.ItemRange;
import dev.llmcw.eval.ItemStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.results.StoredRuns;
import dev.llmcw.suite.EvalTaskEvaluator;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Shards are independent by construction: evaluating item ranges separately (each into its own store, as cluster
 * jobs do), importing the shard files and recomputing the metrics from the stored items gives exactly the
 * numbers and items of one whole run. Real model (stories260K) on the repository's task samples.
 */
class ShardedEvaluationTest {
    private static final Path DATA = Path.of("datasets");

    @ParameterizedTest
    @CsvSource({"piqa, 10, 4", "wikitext, 2, 1", "lambada_openai, 7, 3"})
    void shardsMergeToTheWholeRunExactly(String task, int limit, int shardItems, @TempDir Path dir) throws Exception {
        Path model = TestData.stories260K();
        var ev = new EvalTaskEvaluator(DATA);
        RunSpec.Options options = RunSpec.Options.defaults().withLimit(limit);
        ItemStore whole = ItemStore.inMemory();
        StoredRuns.Result local = evaluate(ev, model, task, options, ItemRange.ALL, whole);

        ItemStore merged = ItemStore.inMemory();
        int shards = (limit + shardItems - 1) / shardItems;
        for (int i = 0; i < shards; i++) {
            int from = i * shardItems, to = i == shards - 1 ? Integer.MAX_VALUE : from + shardItems;
            var shardStore = new RecordingItemStore();
            StoredRuns.Result r = evaluate(ev, model, task, options, new ItemRange(from, to), shardStore);
            assertThat(r.itemKey())
                    .as("a shard stores under the whole run's key")
                    .isEqualTo(local.itemKey());
            Path file = dir.resolve("shard" + i + ".json");
            new ShardOutput("u" + i, r.itemKey(), from, to, shardStore.count(r.itemKey()), shardStore.items())
                    .write(file);
            ShardOutput.read(file).importInto(merged);
            ShardOutput.read(file).importInto(merged); // twice is once
        }
        assertThat(merged.load(local.itemKey())).isEqualTo(whole.load(local.itemKey()));

        StoredRuns.Result recomputed = evaluate(ev, model, task, options, ItemRange.ALL, ItemStore.readOnly(merged));
        assertThat(recomputed.metrics().items()).isEqualTo(limit);
        assertThat(recomputed.metrics().metrics())
                .as("metrics recomputed from the shards' items are bit for bit the whole run's")
                .isEqualTo(local.metrics().metrics());
    }

    @Test
    void aShardFileCutShortIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        var item = new ItemStore.StoredItem("a", 0, 0, "{}");
        Path file = dir.resolve("s.json");
        new ShardOutput("u", "key", 0, 2, 2, Map.of("key", List.of(item))).write(file);
        assertThatThrownBy(() -> ShardOutput.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("incomplete shard output");
        Files.writeString(file, "{\"unitId\":\"u\",\"runKey\":\"key\",\"items\":{\"key\":[{\"itemId\"");
        assertThatThrownBy(() -> ShardOutput.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file + ": not a readable shard output");
    }

    @Test
    void itemRangeClampsToTheSelection() {
        int[] selected = {0, 1, 2, 5, 9};
        assertThat(new ItemRange(1, 3).of(selected)).containsExactly(1, 2);
        assertThat(new ItemRange(3, Integer.MAX_VALUE).of(selected)).containsExactly(5, 9);
        assertThat(new ItemRange(7, 9).of(selected)).isEmpty();
        assertThat(ItemRange.ALL.of(selected)).isSameAs(selected);
        assertThatThrownBy(() -> new ItemRange(3, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    private static StoredRuns.Result evaluate(
            EvalTaskEvaluator ev, Path model, String task, RunSpec.Options o, ItemRange range, ItemStore store)
            throws Exception {
        return ev.evaluate(model, task, o, range, store, ProgressListener.NONE, CancellationToken.none());
    }
}
