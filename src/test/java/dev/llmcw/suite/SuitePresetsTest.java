package dev.llmcw.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.compress.caldera.CalderaDescriptor;
import dev.llmcw.eval.TaskRegistry;
import dev.llmcw.results.ModelHashes;
import dev.llmcw.results.ResultsStore;
import dev.llmcw.results.RunFilter;
import dev.llmcw.results.RunStatus;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The paper presets validate with every task registered, take a limit, and a quick run of one completes with its report. */
class SuitePresetsTest {
    @TempDir
    Path dir;

    private SuiteSpec load(String name, Integer limit) throws Exception {
        return SuiteSpec.read(SuitePresets.write(name, Path.of("model.bin"), Path.of("calib.txt"), limit, dir));
    }

    @Test
    void bothPresetsValidateWithThePapersTasksAndSettings() throws Exception {
        SuiteSpec seed = load("seedlm-paper", null);
        assertThat(seed.models())
                .singleElement()
                .satisfies(m -> assertThat(m.path())
                        .isEqualTo(Path.of("model.bin").toAbsolutePath().toString()));
        assertThat(seed.settings())
                .containsExactly(
                        new SuiteSpec.Setting("none", Map.of()),
                        new SuiteSpec.Setting("seedlm", Map.of("bits", "3")),
                        new SuiteSpec.Setting("seedlm", Map.of("bits", "4")));
        assertThat(seed.tasks())
                .containsExactly(
                        "arc_easy", "arc_challenge", "hellaswag", "piqa", "winogrande", "boolq", "wikitext2_ppl");
        assertThat(seed.options().limit()).as("full splits unless asked").isNull();
        assertThat(seed.report()).isEqualTo("seedlm-paper-report");

        SuiteSpec cal = load("caldera-paper", null);
        assertThat(cal.settings()).extracting(s -> s.params().get("rank")).containsExactly(null, "1", "2", "4");
        assertThat(cal.settings().get(1).params())
                .containsEntry("q_bits", "2")
                .containsEntry("lr_bits", "4")
                .containsEntry("calib", Path.of("calib.txt").toAbsolutePath().toString());
        assertThat(cal.tasks())
                .containsExactly("wikitext2_ppl", "c4", "winogrande", "rte", "piqa", "arc_easy", "arc_challenge");
        assertThat(cal.options().bos()).isFalse();
        for (SuiteSpec s : List.of(seed, cal)) assertThat(TaskRegistry.names()).containsAll(s.tasks());
    }

    @Test
    void theOfficialCalderaPresetRunsTheOfficialRecipeNextToQuipSharp() throws Exception {
        SuiteSpec s = load("caldera-official", null);
        assertThat(s.settings())
                .extracting(SuiteSpec.Setting::method)
                .containsExactly("none", "quip-sharp", "caldera", "caldera");
        assertThat(s.settings()).extracting(x -> x.params().get("rank")).containsExactly(null, null, "8", "16");
        // the same knobs as CALDERA's "Official recipe" method preset (GUI, compress --preset official)
        var official = CalderaDescriptor.official(8).values();
        assertThat(s.settings().get(2).params()).containsAllEntriesOf(official);
        for (var setting : s.settings()) assertThat(setting.problem()).isNull();
        assertThat(s.tasks())
                .containsExactly("wikitext2_ppl", "c4", "winogrande", "rte", "piqa", "arc_easy", "arc_challenge");
        assertThat(TaskRegistry.names()).containsAll(s.tasks());
    }

    @Test
    void theLimitIsOverridable() throws Exception {
        assertThat(load("seedlm-paper", 7).options().limit()).isEqualTo(7);
        assertThat(load("caldera-paper", 3).options().limit()).isEqualTo(3);
        assertThat(load("caldera-paper", 3).options().bos())
                .as("other options kept")
                .isFalse();
        assertThat(load("seedlm-paper", null).withLimit(5).options().limit()).isEqualTo(5);
        assertThatThrownBy(() -> SuitePresets.text("gptq-paper", Path.of("m"), Path.of("c"), null))
                .hasMessage(
                        "unknown suite preset \"gptq-paper\"; known: seedlm-paper, caldera-paper, caldera-official");
    }

    @Test
    void aQuickRunOfTheCalderaPresetStoresEveryRunAndWritesTheReport() throws Exception {
        Path model = TestData.stories260K();
        Path file = SuitePresets.write("caldera-paper", model, SuitePresets.defaultCalibration(), 2, dir);
        // the quick run: two items per task, one rank and few CALDERA iterations (the paper's 20 × 50 take a minute
        // here)
        String text = Files.readString(file)
                .replace("rank: [1, 2, 4]", "rank: [2]")
                .replace("lr_bits: 4,", "lr_bits: 4, outer_iters: 2, inner_iters: 2, calib_seqs: 8, calib_len: 64,");
        SuiteSpec suite = SuiteSpec.parse(text, file);
        assertThat(suite.settings()).hasSize(2);
        try (ResultsStore store = ResultsStore.open(dir.resolve("results.db"))) {
            SuiteReport r = new SuiteRunner(
                            store,
                            WorkbenchSuiteActions.standard(Path.of("datasets").toAbsolutePath(), dir),
                            new ModelHashes(null),
                            ProgressListener.NONE,
                            CancellationToken.none())
                    .run(suite, dir, dir.resolve("work"));
            assertThat(r.failures()).isEmpty();
            assertThat(r.compressed()).isEqualTo(1);
            assertThat(r.runIds()).hasSize(2 * 7);
            assertThat(store.listRuns(RunFilter.all().withStatus(RunStatus.DONE)))
                    .hasSize(14)
                    .allSatisfy(run -> assertThat(run.metrics()).isNotEmpty());
        }
        Path report = dir.resolve("caldera-paper-report");
        assertThat(report.resolve("report.html")).isRegularFile();
        try (var charts = Files.list(report.resolve("charts"))) {
            assertThat(charts.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.contains("acc") && n.contains("bits") && n.endsWith(".png"));
        }
    }
}
