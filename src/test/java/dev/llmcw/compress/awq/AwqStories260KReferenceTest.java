package dev.llmcw.compress.awq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmcw.TestData;
import dev.llmcw.compress.calibration.Calibration;
import dev.llmcw.compress.calibration.HessianAccumulator;
import dev.llmcw.model.Model;
import dev.llmcw.model.WeightNames;
import dev.llmcw.model.load.ModelLoader;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AWQ's scale search on a real layer: stories260K's layer-0 q/k/v, with the statistics from the workbench's own
 * calibration pass (the engine in float32) against tools/reference/awq_reference.py, which computes the same
 * inputs (RMSNorm of the embeddings) in float64 from the llama2.c file. Tolerances: output errors 1e-5 relative
 * (float32 activations against float64), the chosen α exactly, the FP16 scales within one FP16 step (2⁻¹⁰).
 */
class AwqStories260KReferenceTest {
    @ParameterizedTest
    @ValueSource(ints = {4, 3})
    void layerZeroScaleSearchMatchesTheReference(int bits) throws Exception {
        JsonNode golden;
        try (InputStream in = getClass().getResourceAsStream("/golden/awq/awq_stories260K.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        JsonNode c = null;
        for (JsonNode k : golden.get("cases")) if (k.get("bits").asInt() == bits) c = k;
        List<int[]> seqs = new ArrayList<>();
        for (JsonNode s : golden.get("tokens")) {
            int[] t = new int[s.size()];
            for (int i = 0; i < t.length; i++) t[i] = s.get(i).asInt();
            seqs.add(t);
        }
        Model model = ModelLoader.load(TestData.stories260K());
        var set = Calibration.capture(model, seqs, Calibration.ENGINE, "reference tokens", null, null);
        HessianAccumulator acc = set.forWeight(WeightNames.q(0));
        List<AwqScaleSearch.Weight> weights = new ArrayList<>();
        for (String n : List.of(WeightNames.q(0), WeightNames.k(0), WeightNames.v(0))) {
            var t = model.tensor(n);
            float[] f = t.toFloatArray();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) d[i] = f[i];
            weights.add(new AwqScaleSearch.Weight(d, t.rows()));
        }
        var r = AwqScaleSearch.search(
                weights,
                acc.meanAbs(),
                acc.mean(),
                bits,
                c.get("group").asInt(),
                c.get("grid").asInt());
        JsonNode losses = c.get("losses");
        for (int k = 0; k < losses.size(); k++) {
            double want = losses.get(k).asDouble();
            assertThat(r.losses()[k]).as("error at alpha %d/20", k).isCloseTo(want, within(1e-5 * want));
        }
        assertThat(r.best()).isEqualTo(c.get("best").asInt()).isPositive();
        JsonNode scales = c.get("scales");
        for (int i = 0; i < scales.size(); i++) {
            double want = scales.get(i).asDouble();
            assertThat(r.scales()[i]).isCloseTo(want, within(Math.abs(want) * 0x1p-10));
        }
    }
}
