package dev.llmcw.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmcw.TestData;
import dev.llmcw.model.Llama2cLoader;
import dev.llmcw.model.Model;
import dev.llmcw.model.ModelConfig;
import dev.llmcw.model.RopeLayout;
import dev.llmcw.tensor.DType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Prefill logits through {@link dev.llmcw.tensor.gemm.BlockedGemm} against the kernels used before it (the
 * transposed kernel for stories260K's short rows, the dot-product tiles for wider ones). Sums are ordered
 * differently, so the logits agree to rounding: stories260K within 1e-4 (absolute; its logits are O(10)),
 * wider synthetic models within 1e-5 of the largest logit.
 */
class PrefillGemmTest {
    @AfterEach
    void restore() {
        PrefillGemm.set(PrefillGemm.AUTO);
    }

    @Test
    void stories260KPrefillLogitsMatchTodaysPath() {
        Model m = Llama2cLoader.load(TestData.stories260K());
        float[] before = prefill(m, PrefillGemm.AUTO, 100);
        float[] blocked = prefill(m, PrefillGemm.BLOCKED, 100);
        double worst = maxAbsDiff(before, blocked);
        System.out.printf("PrefillGemmTest stories260K: max |blocked - transposed| = %.2e%n", worst);
        assertThat(worst).isLessThanOrEqualTo(1e-4).isGreaterThan(0); // > 0: the blocked kernel really ran
    }

    @Test
    void widerModelsMatchTheTiledKernelForEveryStorageType() {
        // a narrow SmolLM2-like shape: rows of 320 and 864 values take the blocked kernel by default
        ModelConfig c = new ModelConfig(
                "llama", 320, 864, 2, 5, 1, 64, 300, 128, 1e-5f, 10000f, RopeLayout.ROTATE_HALF, null, true, false);
        Model f32 = SyntheticModels.build(c, "narrow", DType.F32, 11);
        for (Model m : new Model[] {
            f32, SyntheticModels.build(c, "narrow", DType.BF16, 11), GoldenModels.convert(f32, DType.Q8_0)
        }) {
            float[] tiled = prefill(m, PrefillGemm.TILED, 37);
            float[] blocked = prefill(m, PrefillGemm.AUTO, 37);
            double scale = 0;
            for (float v : tiled) scale = Math.max(scale, Math.abs(v));
            double rel = maxAbsDiff(tiled, blocked) / scale;
            System.out.printf("PrefillGemmTest %s: max |blocked - tiled| / max |logit| = %.2e%n", m.label(), rel);
            assertThat(rel).as(m.label()).isLessThanOrEqualTo(1e-5).isGreaterThan(0);
        }
    }

    @Test
    void unknownRouteNamesTheProperty() {
        assertThatThrownBy(() -> PrefillGemm.parse("fast")).hasMessageContaining("workbench.gemm");
        assertThat(PrefillGemm.parse(" Tiled ")).isEqualTo(PrefillGemm.TILED);
    }

    /** Logits of every row of a prefill of n tokens through the given route. */
    private static float[] prefill(Model m, PrefillGemm route, int n) {
        PrefillGemm.set(route);
        LlamaEngine e = new LlamaEngine(m, n);
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) tokens[i] = 1 + (i * 37) % (m.config().vocabSize() - 1);
        return e.forward(e.newCache(n), tokens, 0, n, 0);
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        return worst;
    }
}
