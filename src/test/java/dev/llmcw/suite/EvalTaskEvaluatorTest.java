package dev.llmcw.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmcw.TestData;
import dev.llmcw.eval.ItemStore;
import dev.llmcw.results.RunSpec;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.DataPaths;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The real evaluator behind suites: stories260K on the repository's PIQA sample, a few items. */
class EvalTaskEvaluatorTest {
    @Test
    void evaluatesThroughTheItemStoreAndResumes() throws Exception {
        Path model = TestData.stories260K();
        var ev = new EvalTaskEvaluator(Path.of("datasets"));
        assertThat(ev.taskVersion("piqa")).isNotBlank();
        String sampleHash = ev.dataHash("piqa");
        assertThat(sampleHash).isEqualTo(new EvalTaskEvaluator(Path.of("datasets")).dataHash("piqa"));
        if (Files.isDirectory(DataPaths.shared("datasets")))
            assertThat(new EvalTaskEvaluator(DataPaths.shared("datasets")).dataHash("piqa"))
                    .isNotEqualTo(sampleHash);

        AtomicInteger saves = new AtomicInteger();
        ItemStore mem = ItemStore.inMemory();
        ItemStore counting = new ItemStore() {
            @Override
            public Map<String, StoredItem> load(String k) {
                return mem.load(k);
            }

            @Override
            public void save(String k, StoredItem i) {
                saves.incrementAndGet();
                mem.save(k, i);
            }
        };
        var options = RunSpec.Options.defaults().withLimit(3);
        var r = ev.evaluate(
                model, "piqa", options, "unused", counting, ProgressListener.NONE, CancellationToken.none());
        assertThat(r.metrics().items()).isEqualTo(3);
        assertThat(r.metrics().metrics()).containsKeys("acc", "acc_norm", "acc_stderr");
        assertThat(mem.load(r.itemKey())).hasSize(3);
        assertThat(saves.get()).isEqualTo(3);

        var again = ev.evaluate(
                model, "piqa", options, "unused", counting, ProgressListener.NONE, CancellationToken.none());
        assertThat(saves.get()).as("stored items are not scored again").isEqualTo(3);
        assertThat(again.metrics().metrics()).isEqualTo(r.metrics().metrics());
    }
}
