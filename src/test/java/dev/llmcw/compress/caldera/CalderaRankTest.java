package dev.llmcw.compress.caldera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.compress.MethodRegistry;
import dev.llmcw.compress.calibration.Calibration;
import dev.llmcw.compress.calibration.CalibrationSpec;
import dev.llmcw.model.Model;
import dev.llmcw.model.load.ModelLoader;
import dev.llmcw.util.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ranks the E8P lattice cannot take are refused with a message; ranks above a matrix's size are capped, and said so. */
class CalderaRankTest {
    @Test
    void e8pFactorsRefuseARankThatIsNotAMultipleOfEight(@TempDir Path dir) {
        assertThatThrownBy(() -> MethodRegistry.get("caldera")
                        .create(Map.of("rank", "12", "quantizer", "e8p", "calib", "c.txt"), dir, dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rank 12")
                .hasMessageContaining("multiple of 8");
        // scalar or float factors take any rank
        assertThat(new CalderaOptions(
                                2,
                                16,
                                12,
                                1,
                                0,
                                true,
                                "e8p",
                                5,
                                false,
                                CalderaOptions.ROW,
                                0,
                                false,
                                CalderaOptions.LR_FIRST)
                        .rank())
                .isEqualTo(12);
        assertThat(new CalderaOptions(
                                2,
                                4,
                                12,
                                1,
                                0,
                                true,
                                "scalar",
                                5,
                                false,
                                CalderaOptions.ROW,
                                0,
                                false,
                                CalderaOptions.LR_FIRST)
                        .rank())
                .isEqualTo(12);
    }

    @Test
    void aRankAboveTheMatrixSizeIsCappedWithAWarning(@TempDir Path dir) throws Exception {
        Model model = ModelLoader.load(TestData.stories260K()); // k_proj, v_proj: 32×64
        int[] seq = model.tokenizer().encode("Once upon a time, there was a little girl named Lily.");
        var set = Calibration.capture(model, List.of(seq), Calibration.ENGINE, "test sentence", null, null);
        var method = new CalderaMethod(
                new CalderaOptions(
                        2,
                        4,
                        40,
                        1,
                        0,
                        false,
                        "scalar",
                        5,
                        false,
                        CalderaOptions.ROW,
                        0,
                        false,
                        CalderaOptions.LR_FIRST),
                CalibrationSpec.precomputed(set));
        List<String> log = new ArrayList<>();
        ProgressListener progress = (stage, done, total, msg) -> {
            if (total < 0) log.add(stage);
        };
        var rep = method.compress(model, dir.resolve("c.safetensors"), dir.resolve("work"), progress, null);
        assertThat(rep.parameters().get("warning"))
                .contains("rank 40")
                .contains("capped")
                .contains("32");
        assertThat(log).anySatisfy(l -> assertThat(l).startsWith("warning:").contains("rank 40"));
        // the estimate counts the factors at the rank actually stored
        var capped = new CalderaMethod(
                new CalderaOptions(
                        2,
                        4,
                        40,
                        1,
                        0,
                        false,
                        "scalar",
                        5,
                        false,
                        CalderaOptions.ROW,
                        0,
                        false,
                        CalderaOptions.LR_FIRST),
                null);
        assertThat(capped.tensorBits(32, 64))
                .isEqualTo(new CalderaMethod(
                                new CalderaOptions(
                                        2,
                                        4,
                                        32,
                                        1,
                                        0,
                                        false,
                                        "scalar",
                                        5,
                                        false,
                                        CalderaOptions.ROW,
                                        0,
                                        false,
                                        CalderaOptions.LR_FIRST),
                                null)
                        .tensorBits(32, 64));
        // no warning when every matrix takes the rank
        var fits = new CalderaMethod(
                new CalderaOptions(
                        2,
                        4,
                        8,
                        1,
                        0,
                        false,
                        "scalar",
                        5,
                        false,
                        CalderaOptions.ROW,
                        0,
                        false,
                        CalderaOptions.LR_FIRST),
                CalibrationSpec.precomputed(set));
        assertThat(fits.compress(model, dir.resolve("d.safetensors"), dir.resolve("work2"), null, null)
                        .parameters())
                .doesNotContainKey("warning");
    }
}
