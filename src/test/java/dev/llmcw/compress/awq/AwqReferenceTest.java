package dev.llmcw.compress.awq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmcw.compress.calibration.HessianAccumulator;
import dev.llmcw.compress.rtn.Rtn;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AWQ's scale and clip search against tools/reference/awq_reference.py (numpy float64, errors measured from the
 * activations X; Java uses H = E[x·xᵀ] from the calibration accumulator). Tolerances: output errors agree to
 * 1e-9 relative (the two routes round differently), chosen α, FP16 scales and codes exactly, dequantised weights
 * to 1e-12.
 */
class AwqReferenceTest {
    private static JsonNode golden;
    private static int cols;
    private static List<AwqScaleSearch.Weight> weights;
    private static HessianAccumulator statistics;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = AwqReferenceTest.class.getResourceAsStream("/golden/awq/awq_reference.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        cols = golden.get("cols").asInt();
        weights = new ArrayList<>();
        for (int i = 0; i < golden.get("rows").size(); i++)
            weights.add(new AwqScaleSearch.Weight(
                    doubles(golden.get("weights").get(i)),
                    golden.get("rows").get(i).asInt()));
        double[] x = doubles(golden.get("x"));
        float[] xf = new float[x.length];
        for (int i = 0; i < x.length; i++) xf[i] = (float) x[i];
        // through the calibration accumulator, as the method gets its statistics (two batches)
        statistics = new HessianAccumulator(cols);
        int tokens = golden.get("tokens").asInt(), half = tokens / 2;
        statistics.add(xf, 0, half);
        statistics.add(xf, half * cols, tokens - half);
    }

    private static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = a.get(i).asDouble();
        return d;
    }

    private static JsonNode golden(int bits) {
        for (JsonNode c : golden.get("cases")) if (c.get("bits").asInt() == bits) return c;
        throw new AssertionError("no case for " + bits + " bits");
    }

    private static AwqScaleSearch.Result search(JsonNode c) {
        return AwqScaleSearch.search(
                weights,
                statistics.meanAbs(),
                statistics.mean(),
                c.get("bits").asInt(),
                c.get("group").asInt(),
                c.get("grid").asInt());
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 3})
    void scaleSearchMatchesTheReference(int bits) {
        JsonNode c = golden(bits);
        var r = search(c);
        double[] losses = doubles(c.get("losses"));
        for (int k = 0; k < losses.length; k++)
            assertThat(r.losses()[k]).as("error at alpha %d/20", k).isCloseTo(losses[k], within(1e-9 * losses[k]));
        assertThat(r.best()).isEqualTo(c.get("best").asInt());
        assertThat(r.scales()).containsExactly(doubles(c.get("scales")));
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 3})
    void clippedQuantisationMatchesTheReference(int bits) {
        JsonNode c = golden(bits);
        double[] s = doubles(c.get("scales"));
        DMatrixRMaj h = statistics.mean();
        for (int i = 0; i < weights.size(); i++) {
            var w = weights.get(i);
            JsonNode want = c.get("linears").get(i);
            var q = AwqQuantizer.quantize(
                    w.w(), w.rows(), cols, s, bits, c.get("group").asInt(), h);
            double[] codes = doubles(want.get("codes"));
            for (int j = 0; j < codes.length; j++)
                assertThat(q.codes()[j]).as("code %d of linear %d", j, i).isEqualTo((int) codes[j]);
            double[] dq = q.dequantize(), wantDq = doubles(want.get("dequantized"));
            for (int j = 0; j < dq.length; j++) assertThat(dq[j]).isCloseTo(wantDq[j], within(1e-12));
            double err = AwqScaleSearch.outputError(w.w(), dq, w.rows(), cols, h);
            double wantErr = want.get("output_error_clipped").asDouble();
            assertThat(err).isCloseTo(wantErr, within(1e-9 * wantErr));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 3})
    void awqNeverLosesToRtnOnTheCalibrationActivations(int bits) {
        JsonNode c = golden(bits);
        int group = c.get("group").asInt();
        var r = search(c);
        DMatrixRMaj h = statistics.mean();
        double rtn = 0, awq = 0;
        for (var w : weights) {
            rtn += AwqScaleSearch.outputError(
                    w.w(),
                    Rtn.quantize(w.w(), w.rows(), cols, bits, group, false).dequantize(),
                    w.rows(),
                    cols,
                    h);
            awq += AwqScaleSearch.outputError(
                    w.w(),
                    AwqQuantizer.quantize(w.w(), w.rows(), cols, r.scales(), bits, group, null)
                            .dequantize(),
                    w.rows(),
                    cols,
                    h);
        }
        // α = 0 is plain RTN (s = 1), so the search can only do better; here much better (salient channels)
        assertThat(r.losses()[0]).isCloseTo(rtn, within(1e-12 * rtn));
        assertThat(rtn).isCloseTo(c.get("rtn_error").asDouble(), within(1e-9 * rtn));
        assertThat(awq).isEqualTo(r.losses()[r.best()]).isLessThan(0.5 * rtn);
    }

    @Test
    void meanAbsoluteActivationIsThePerChannelMean() {
        double[] x = doubles(golden.get("x"));
        int tokens = golden.get("tokens").asInt();
        double[] m = statistics.meanAbs();
        for (int c = 0; c < cols; c++) {
            double sum = 0;
            for (int t = 0; t < tokens; t++) sum += Math.abs(x[t * cols + c]);
            assertThat(m[c]).isCloseTo(sum / tokens, within(1e-12));
        }
    }
}
