package dev.llmcw.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.compress.CompressedModels;
import dev.llmcw.compress.caldera.adapt.AdaptedCalderaModel;
import dev.llmcw.compress.caldera.adapt.FinetuneOverrides;
import dev.llmcw.compress.caldera.adapt.FinetuneSettings;
import dev.llmcw.engine.Perplexity;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.util.CancellationToken;
import dev.llmcw.util.ProgressListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A suite's {@code finetune:} on a CALDERA setting: its settings, its checks, and the compress-then-adapt step. */
class SuiteFinetuneTest {
    private static final String HEAD = """
            name: ft
            models: [{path: m.bin}]
            tasks: [piqa]
            methods:
              - method: caldera
                params: {rank: 8, calib: calib.txt}
            """;

    @Test
    void ftRankZeroFourAndEightSideBySide() {
        var s = SuiteSpec.parse(HEAD + """
                        sweep: {ft_rank: [0]}
                      - method: caldera
                        params: {rank: 8, calib: calib.txt}
                        sweep: {ft_rank: [4, 8]}
                        finetune: true
                      - method: caldera
                        params: {rank: 8, calib: calib.txt, ft_rank: 8}
                        finetune: {epochs: 1, lr: 0.0005}
                    """, Path.of("s.yaml"));
        assertThat(s.settings()).hasSize(4);
        assertThat(s.settings())
                .extracting(st -> st.params().get("finetune"))
                .containsExactly(null, "true", "true", "epochs=1 lr=5.0E-4");
        assertThat(s.settings().get(1).methodParams())
                .doesNotContainKey("finetune")
                .containsEntry("ft_rank", "4");
        assertThat(s.methodProblems()).isEmpty();
        assertThat(FinetuneOverrides.parse("epochs=1 lr=0.0005"))
                .isEqualTo(new FinetuneSettings(128, 1, 5e-4, 0.001, 0.02, 1.0, 1, 0, false, false));
        assertThat(FinetuneOverrides.parse("true")).isEqualTo(FinetuneSettings.DEFAULTS);
        assertThat(SuiteRunner.slug(s.settings().get(1)))
                .isNotEqualTo(SuiteRunner.slug(
                        new SuiteSpec.Setting("caldera", s.settings().get(1).methodParams())));
    }

    @Test
    void misuseIsOneSentence() {
        var zero = SuiteSpec.parse(HEAD + "    finetune: true\n", Path.of("s.yaml"));
        assertThat(zero.methodProblems())
                .singleElement()
                .asString()
                .isEqualTo("finetune: needs ft_rank > 0 (the 16-bit components it trains); this setting has ft_rank 0");
        var rtn = SuiteSpec.parse(
                HEAD + "  - method: rtn\n    params: {bits: 4}\n    finetune: true\n", Path.of("s.yaml"));
        assertThat(rtn.methodProblems())
                .singleElement()
                .asString()
                .isEqualTo("finetune: is CALDERA's low-rank adaptation; method rtn has no adapters to train");
        var unknown = SuiteSpec.parse(
                HEAD.replace("rank: 8,", "rank: 8, ft_rank: 8,") + "    finetune: {epoch: 1}\n", Path.of("s.yaml"));
        assertThat(unknown.methodProblems())
                .singleElement()
                .asString()
                .startsWith("finetune: unknown setting \"epoch\"");
        assertThatThrownBy(() -> SuiteSpec.parse(HEAD + "    finetune: 3\n", Path.of("s.yaml")))
                .hasMessage("s.yaml: methods[0]: finetune must be true, false or a map of overrides such as"
                        + " {epochs: 1, lr: 0.0005}, not 3");
    }

    @Test
    void theSettingIsCompressedThenAdaptedOnItsCalibrationText(@TempDir Path dir) throws Exception {
        String all = Files.readString(
                TestData.require("datasets/tinystories/tinystories_val_subset.txt"), StandardCharsets.UTF_8);
        List<String> stories = Perplexity.split(all, Perplexity.Documents.BLANK_LINE);
        Files.writeString(dir.resolve("calib.txt"), String.join("\n\n", stories.subList(0, 200)));
        var actions = WorkbenchSuiteActions.standard(TestData.require("datasets"), dir);
        Map<String, String> params = Map.of(
                "rank",
                "8",
                "ft_rank",
                "8",
                "q_bits",
                "2",
                "lr_bits",
                "4",
                "outer_iters",
                "2",
                "inner_iters",
                "2",
                "calib",
                "calib.txt",
                "calib_seqs",
                "4",
                "calib_len",
                "128",
                "finetune",
                "epochs=1");
        actions.checkSetting("caldera", params);
        var steps = new ArrayList<Long>();
        ProgressListener progress = (stage, done, total, message) -> {
            if (stage.equals("fine-tuning")) steps.add(done);
        };
        Path out = dir.resolve("c.safetensors");
        var r = actions.compress(
                TestData.stories260K(),
                "caldera",
                params,
                out,
                dir.resolve("work"),
                progress,
                CancellationToken.none());
        assertThat(steps).containsExactly(1L, 2L, 3L, 4L); // 4 × 128 calibration tokens = 4 blocks, one epoch
        assertThat(r.parameters())
                .containsEntry(
                        AdaptedCalderaModel.KEY_FINETUNE,
                        FinetuneOverrides.parse("epochs=1").describe())
                .containsEntry(AdaptedCalderaModel.KEY_FINETUNE_TEXT, "calib.txt, 4 × 128 tokens");
        var written = CompressedModels.params(ModelLoader.load(out, TestData.tok512()));
        assertThat(written).containsKey(AdaptedCalderaModel.KEY_FINETUNE);
    }
}
